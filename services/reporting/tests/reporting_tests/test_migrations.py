"""The reporting schema moves forward over data already projected, without losing or misreading it."""

from datetime import UTC, date, datetime

from sqlalchemy import text

from grants_shared.db import make_engine, migrate
from reporting.domain.status import TRANCHE_RANKS

BEFORE_VARIATIONS = "627b7ef39719"
AWARDED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_tranche_ranks_and_grant_amount_moments_are_carried_forward(database_url: str) -> None:
    migrate(database_url, "reporting", BEFORE_VARIATIONS)
    engine = make_engine(database_url)
    old_ranks = {"scheduled": 0, "held": 1, "released": 2, "instructed": 3, "failed": 4, "settled": 5, "returned": 6}
    with engine.begin() as db:
        db.execute(
            text(
                "INSERT INTO grants (grant_id, application_id, round_id, organisation_id, partnership_id,"
                " neighbourhood_code, region_code, imd_decile, amount_pence, duration_months, paid_pence,"
                " returned_pence, status, awarded_at)"
                " VALUES ('g', 'a', 'r', 'o', 'p', 'W1', 'E1', 1, 100, 120, 0, 0, 'awarded', :at)"
            ),
            {"at": AWARDED},
        )
        for number, (status, rank) in enumerate(old_ranks.items(), start=1):
            db.execute(
                text(
                    "INSERT INTO tranches (tranche_id, grant_id, number, of_tranches, due_on, amount_pence, status,"
                    " status_rank, status_at) VALUES (:id, 'g', :n, 7, :due, 10, :status, :rank, :at)"
                ),
                {
                    "id": f"t{number}",
                    "n": number,
                    "due": date(2026, 1, 1),
                    "status": status,
                    "rank": rank,
                    "at": AWARDED,
                },
            )
    migrate(database_url, "reporting")
    with engine.connect() as db:
        ranks = dict(db.execute(text("SELECT status, status_rank FROM tranches")).all())
        grant = db.execute(text("SELECT released_pence, amount_at FROM grants")).one()
    engine.dispose()
    assert ranks == {status: TRANCHE_RANKS[status] for status in old_ranks}
    assert ranks["returned"] != old_ranks["returned"]  # the re-rank really happened
    assert grant[0] == 0 and grant[1] is not None
