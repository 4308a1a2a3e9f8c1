"""Use cases of funding rounds: open one, close one. Each runs in the caller's unit of work and returns the round."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from allocation.adapters.demonstration_store import mark_demonstration
from allocation.adapters.fund_store import find_pool, pool_committed
from allocation.adapters.lookup import find_round
from allocation.adapters.orm import Round
from allocation.adapters.orm_demonstration import REQUESTED
from allocation.adapters.orm_pools import MAIN_POOL, RoundPool
from allocation.adapters.records import round_view
from allocation.domain import Policy
from allocation.domain.lifecycle import OPEN
from allocation.domain.lifecycle import close_round as close
from allocation.domain.starter import MAIN, check_round_terms
from grants_shared.clock import now
from grants_shared.errors import Conflict, Invalid
from grants_shared.events import RoundClosed, RoundOpened
from grants_shared.ids import new_id
from grants_shared.money import format_gbp
from grants_shared.uow import UnitOfWork

POLICY_TERMS = (
    "budget_pence",
    "reserve_pence",
    "min_award_pence",
    "max_award_pence",
    "partial_awards",
    "one_award_per_neighbourhood",
    "eligibility",
    "imd_weight",
    "cni_weight",
    "region_caps",
    "region_floors",
)
"""The terms of a round that make its policy."""


@dataclass(frozen=True)
class OpenRound:
    """Open a round: its name and the terms of its policy (POLICY_TERMS)."""

    name: str
    terms: Mapping[str, Any]
    grant_type: str = MAIN
    pool_id: str = MAIN_POOL
    scenario: bool = False
    demonstration: bool = False


def policy_of(terms: Mapping[str, Any]) -> Policy:
    """The engine's policy for a round's terms (Invalid `invalid-policy` when they contradict each other)."""
    try:
        return Policy(**{term: terms[term] for term in POLICY_TERMS})
    except ValidationError as error:
        detail = "; ".join(str(e.get("msg", "")) for e in error.errors())
        raise Invalid(detail, code="invalid-policy", title="The round's policy is not consistent") from error


def _refuse_beyond_pool(uow: UnitOfWork, command: OpenRound, policy: Policy) -> None:
    """A real round's budget must fit what its pool has left (Invalid `pool-exhausted`); scenarios and
    demonstrations spend nothing."""
    pool = find_pool(uow.session, command.pool_id, lock=True)
    if command.scenario or command.demonstration:
        return
    left = pool.total_pence - pool_committed(uow.session, pool.id)
    if policy.budget_pence > left:
        raise Invalid(
            f"The budget of {format_gbp(policy.budget_pence)} is more than the {format_gbp(left)} "
            f"pool {pool.id} has left.",
            code="pool-exhausted",
            title="The pool has not that much left",
            pool_id=pool.id,
            pool_left_pence=left,
        )


def open_round(uow: UnitOfWork, command: OpenRound, actor: str) -> Round:
    """Open a round drawn from a pool with its published policy; emits RoundOpened."""
    policy = policy_of(command.terms)
    check_round_terms(command.grant_type, policy.max_award_pence)
    _refuse_beyond_pool(uow, command, policy)
    round_ = Round(
        id=new_id(),
        name=command.name,
        status=OPEN,
        policy=policy.model_dump(mode="json"),
        policy_hash=policy.sha256(),
        budget_pence=policy.budget_pence,
        grant_type=command.grant_type,
        opened_at=now(),
        opened_by=actor,
    )
    uow.session.add(round_)
    uow.session.flush()
    uow.session.add(RoundPool(round_id=round_.id, pool_id=command.pool_id, scenario=command.scenario))
    uow.session.flush()
    if command.demonstration:
        mark_demonstration(uow.session, round_.id, REQUESTED)
    uow.emit(
        RoundOpened(
            round_id=round_.id,
            name=round_.name,
            budget_pence=policy.budget_pence,
            min_award_pence=policy.min_award_pence,
            max_award_pence=policy.max_award_pence,
            opened_at=round_.opened_at,
            grant_type=round_.grant_type,
            demonstration=command.demonstration,
            scenario=command.scenario,
        ),
        subject=round_.id,
    )
    uow.audit(actor=actor, action="round.opened", entity_type="round", entity_id=round_.id, after=round_view(round_))
    return round_


def close_round(uow: UnitOfWork, round_id: str, actor: str) -> Round:
    """Close an open round: no run is committed in it afterwards; emits RoundClosed."""
    round_ = find_round(uow.session, round_id, lock=True)
    if round_.status != OPEN:
        raise Conflict(f"Round {round_id} is closed.", code="round-closed", title="The round is already closed")
    before = round_view(round_)
    close(round_)
    round_.closed_at, round_.closed_by = now(), actor
    uow.session.flush()
    uow.emit(RoundClosed(round_id=round_.id, closed_at=round_.closed_at), subject=round_.id)
    uow.audit(
        actor=actor,
        action="round.closed",
        entity_type="round",
        entity_id=round_.id,
        before=before,
        after=round_view(round_),
    )
    return round_
