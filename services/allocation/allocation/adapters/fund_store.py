"""Read and keep the fund's pools: what each holds and has committed, the pool of a round, the fund's obligations.

Rounds opened before pools existed have no round_pools row: they draw from the main pool and are not scenarios.
Obligations by financial year come from allocation's own committed awards, spread by payments' schedule rule from
the award date (variations and closures are payments' to know: its /fund/obligations is the ledger-exact figure).
"""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from allocation.adapters.demonstration_store import demonstration_round_ids
from allocation.adapters.orm import AssessedApplication, Award
from allocation.adapters.orm_pools import MAIN_POOL, FundPool, RoundPool
from grants_shared.clock import now
from grants_shared.drawdown import by_year, load_plan, tranches
from grants_shared.errors import Invalid

SYSTEM = "system"


def main_pool(session: Session) -> FundPool:
    """The fund's main pool, made on first use with the endowment's value from the drawdown plan."""
    pool = session.get(FundPool, MAIN_POOL)
    if pool is None:
        plan = load_plan()
        pool = FundPool(
            id=MAIN_POOL, name="Main pool", total_pence=plan.endowment_pence, created_at=now(), created_by=SYSTEM
        )
        session.add(pool)
        session.flush()
    return pool


def find_pool(session: Session, pool_id: str, *, lock: bool = False) -> FundPool:
    """The pool, locked for this transaction when asked (Invalid `unknown-pool` when there is none)."""
    if pool_id == MAIN_POOL:
        main_pool(session)
    query = select(FundPool).where(FundPool.id == pool_id)
    pool = session.scalars(query.with_for_update() if lock else query).first()
    if pool is None:
        raise Invalid(f"There is no pool {pool_id}.", code="unknown-pool", title="No such pool", pool_id=pool_id)
    return pool


def round_pool(session: Session, round_id: str) -> RoundPool:
    """Which pool a round draws from and whether it is a scenario (main and real for rounds from before pools)."""
    row = session.get(RoundPool, round_id)
    return row or RoundPool(round_id=round_id, pool_id=MAIN_POOL, scenario=False)


def pool_committed(session: Session, pool_id: str) -> int:
    """What the pool's real rounds (not scenarios, not demonstrations) have awarded in their committed runs."""
    pool_of = func.coalesce(RoundPool.pool_id, MAIN_POOL)
    query = (
        select(func.coalesce(func.sum(Award.amount_pence), 0))
        .outerjoin(RoundPool, RoundPool.round_id == Award.round_id)
        .where(pool_of == pool_id, func.coalesce(RoundPool.scenario, False).is_(False))
        .where(Award.round_id.not_in(demonstration_round_ids()))
    )
    return int(session.scalar(query) or 0)


def round_committed(session: Session, round_id: str) -> int:
    """What the round's committed run awarded (0 before it has one)."""
    query = select(func.coalesce(func.sum(Award.amount_pence), 0)).where(Award.round_id == round_id)
    return int(session.scalar(query) or 0)


def obligations_by_year(session: Session) -> dict[str, int]:
    """Every committed award (demonstrations left out) spread into financial years by payments' rule, summed."""
    rows = session.execute(
        select(Award.amount_pence, Award.awarded_at, AssessedApplication.duration_months)
        .join(AssessedApplication, AssessedApplication.application_id == Award.application_id)
        .where(Award.round_id.not_in(demonstration_round_ids()))
    )
    return by_year(t for amount, at, months in rows for t in tranches(amount, months, at.date()))
