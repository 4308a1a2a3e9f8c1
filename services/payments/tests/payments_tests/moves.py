"""Every status change the database stores, recorded by SQLite triggers, and checked against the domain lifecycles."""

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from payments.domain import grant_state, instruction_state, tranche_state
from payments.domain.lifecycle import Lifecycle

LIFECYCLES: dict[str, Lifecycle] = {
    "tranches": tranche_state.LIFECYCLE,
    "payment_instructions": instruction_state.LIFECYCLE,
    "grants": grant_state.LIFECYCLE,
    "variations": grant_state.VARIATION_LIFECYCLE,
}
Move = tuple[str, str, str]


def record_status_moves(engine: Engine) -> None:
    """Make a SQLite database log every stored status change of the four tables in `status_moves`."""
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE IF NOT EXISTS status_moves (seq INTEGER PRIMARY KEY AUTOINCREMENT, "
            "tbl TEXT NOT NULL, old TEXT, new TEXT)"
        )
        for table in LIFECYCLES:
            conn.exec_driver_sql(
                f"CREATE TRIGGER IF NOT EXISTS {table}_status_moves AFTER UPDATE OF status ON {table} "
                f"WHEN OLD.status IS NOT NEW.status BEGIN "
                f"INSERT INTO status_moves (tbl, old, new) VALUES ('{table}', OLD.status, NEW.status); END"
            )


def stored_moves(session: Session) -> list[Move]:
    """Every (table, old, new) status change stored so far, in order."""
    rows = session.execute(text("SELECT tbl, old, new FROM status_moves ORDER BY seq")).all()
    return [(str(t), str(o), str(n)) for t, o, n in rows]


def forbidden(moves: list[Move]) -> list[str]:
    """The moves their table's domain lifecycle does not allow."""
    return [f"{t}: {o} -> {n}" for t, o, n in moves if (o, n) not in LIFECYCLES[t].allowed()]
