"""The recorder the state machine relies on: it sees every stored status change and names a forbidden one."""

from pathlib import Path

from sqlalchemy import text

from grants_shared.db import make_engine, migrate, session_factory
from payments_tests.moves import forbidden, record_status_moves, stored_moves


def test_a_move_the_domain_forbids_is_seen_and_named(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'moves.db'}"
    migrate(url, "payments")
    engine = make_engine(url)
    try:
        record_status_moves(engine)
        with session_factory(engine)() as session:
            session.execute(
                text(
                    "INSERT INTO grants (grant_id, application_id, organisation_id, partnership_id, "
                    "round_id, run_id, neighbourhood_code, region_code, amount_pence, duration_months, "
                    "awarded_at, status, payee_name, payee_sort_code, payee_account_number, created_at) "
                    "VALUES ('g', 'a', 'o', 'p', 'r', 'run', 'n', 'e', 10, 12, '2026-01-01', 'active', "
                    "'x', '040004', '00000001', '2026-01-01')"
                )
            )
            session.execute(text("UPDATE grants SET status = 'active'"))  # no change: not a move
            session.execute(text("UPDATE grants SET status = 'completed'"))  # allowed
            session.execute(text("UPDATE grants SET status = 'closed'"))  # completed -> closed: forbidden
            session.commit()
            moves = stored_moves(session)
        assert moves == [("grants", "active", "completed"), ("grants", "completed", "closed")]
        assert forbidden(moves) == ["grants: completed -> closed"]
    finally:
        engine.dispose()
