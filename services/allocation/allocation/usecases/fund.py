"""What a run may spend now: what is left of its round's budget and its pool, and the drawdown plan's headroom."""

from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from allocation.adapters.fund_store import (
    find_pool,
    main_pool,
    obligations_by_year,
    pool_committed,
    round_committed,
    round_pool,
)
from allocation.adapters.orm import Round
from allocation.adapters.orm_pools import MAIN_POOL, FundPool
from allocation.domain import Policy
from grants_shared.clock import now
from grants_shared.drawdown import DrawdownPlan, headroom, load_plan
from grants_shared.errors import Conflict, Invalid
from grants_shared.money import format_gbp
from grants_shared.uow import UnitOfWork


def refuse_scenario_commit(session: Session, round_: Round, plan: dict[str, int] | None) -> None:
    """A scenario round, or a run under a plan of its own, is for simulation only (Conflict `scenario-round`)."""
    if round_pool(session, round_.id).scenario:
        raise Conflict(
            f"Round {round_.id} is a scenario: it is simulated, never committed.",
            code="scenario-round",
            title="A scenario round commits nothing",
        )
    if plan is not None:
        raise Invalid(
            "A different drawdown plan is for simulations: a commit runs under the plan in force.",
            code="plan-override-commit",
            title="A commit cannot change the plan",
        )


def _exhausted(round_: Round, left: int, pool_id: str) -> Invalid:
    return Invalid(
        f"Only {format_gbp(left)} is left to round {round_.id} from its budget and pool {pool_id}.",
        code="pool-exhausted",
        title="The pool has not enough left for this round",
        pool_id=pool_id,
        left_pence=left,
    )


def policy_now(session: Session, round_: Round, *, lock: bool) -> dict[str, Any]:
    """The round's policy with its budget cut to what is left of it and of its pool (unchanged when both cover it)."""
    placement = round_pool(session, round_.id)
    pool = find_pool(session, placement.pool_id, lock=lock)  # commits drawing on one pool queue here
    reserve = int(round_.policy.get("reserve_pence", 0))
    pool_left = pool.total_pence - pool_committed(session, pool.id)
    budget = min(round_.budget_pence - round_committed(session, round_.id), pool_left + reserve)
    if budget >= round_.budget_pence:
        return round_.policy
    policy = {**round_.policy, "budget_pence": budget}
    if budget <= reserve:
        raise _exhausted(round_, 0, pool.id)
    try:
        Policy.model_validate(policy)
    except ValidationError as error:  # what is left no longer covers the round's floors
        raise _exhausted(round_, budget - reserve, pool.id) from error
    return policy


def _plan(override: dict[str, int] | None) -> DrawdownPlan:
    plan = load_plan()
    if override is None:
        return plan
    try:
        return DrawdownPlan(version=f"{plan.version}+simulated", endowment_pence=plan.endowment_pence, years=override)
    except ValidationError as error:
        detail = "; ".join(str(e.get("msg", "")) for e in error.errors())
        raise Invalid(detail, code="invalid-plan", title="The drawdown plan is not consistent") from error


def drawdown_inputs(session: Session, override: dict[str, int] | None = None) -> dict[str, Any]:
    """The plan's headroom for awards made today: each year's limit less the fund's committed obligations in it."""
    plan = _plan(override)
    return {
        "plan_version": plan.version,
        "start": now().date().isoformat(),
        "headroom": headroom(plan, obligations_by_year(session)),
    }


def create_pool(uow: UnitOfWork, pool_id: str, name: str, total_pence: int, actor: str) -> dict[str, Any]:
    """Create a pool of the fund's money (Conflict `pool-exists` when the id is taken); audited."""
    if pool_id == MAIN_POOL:
        main_pool(uow.session)
    if uow.session.get(FundPool, pool_id) is not None:
        raise Conflict(f"There is already a pool {pool_id}.", code="pool-exists", title="The pool exists")
    pool = FundPool(id=pool_id, name=name, total_pence=total_pence, created_at=now(), created_by=actor)
    uow.session.add(pool)
    uow.session.flush()
    view = {"id": pool.id, "name": pool.name, "total_pence": pool.total_pence, "committed_pence": 0}
    uow.audit(actor=actor, action="pool.created", entity_type="pool", entity_id=pool.id, after=view)
    return {**view, "left_pence": pool.total_pence}
