"""Use cases of funding rounds: open one, close one. Each runs in the caller's unit of work."""

from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from allocation.adapters.orm import Round
from allocation.domain import Policy
from allocation.schemas import RoundIn
from allocation.times import now
from allocation.views import round_view
from grants_shared.events import RoundClosed, RoundOpened
from grants_shared.http.problems import Problem
from grants_shared.ids import new_id
from grants_shared.uow import UnitOfWork


def policy_of(command: RoundIn) -> Policy:
    """The engine's policy for a round request (422 problem when its numbers contradict each other)."""
    try:
        return Policy(
            budget_pence=command.budget_pence, reserve_pence=command.reserve_pence,
            min_award_pence=command.min_award_pence, max_award_pence=command.max_award_pence,
            partial_awards=command.partial_awards, one_award_per_neighbourhood=command.one_award_per_neighbourhood,
            eligibility=command.eligibility,
            imd_weight=command.imd_weight, cni_weight=command.cni_weight,
            region_caps=command.region_caps, region_floors=command.region_floors,
        )
    except ValidationError as error:
        detail = "; ".join(str(e.get("msg", "")) for e in error.errors())
        raise Problem(422, "invalid-policy", "The round's policy is not consistent", detail) from error


def open_round(uow: UnitOfWork, command: RoundIn, actor: str) -> dict[str, Any]:
    """Open a round with its published policy; emits RoundOpened."""
    policy = policy_of(command)
    round_ = Round(
        id=new_id(), name=command.name, status="open", policy=policy.model_dump(mode="json"),
        policy_hash=policy.sha256(), budget_pence=policy.budget_pence, opened_at=now(), opened_by=actor,
    )
    uow.session.add(round_)
    uow.session.flush()
    uow.emit(RoundOpened(round_id=round_.id, name=round_.name, budget_pence=policy.budget_pence,
                         min_award_pence=policy.min_award_pence, max_award_pence=policy.max_award_pence,
                         opened_at=round_.opened_at), subject=round_.id)
    view = round_view(round_)
    uow.audit(actor=actor, action="round.opened", entity_type="round", entity_id=round_.id, after=view)
    return view


def find_round(session: Session, round_id: str, *, lock: bool = False) -> Round:
    """The round, locked for this transaction when asked (404 problem when there is none)."""
    query = select(Round).where(Round.id == round_id)
    round_ = session.scalars(query.with_for_update() if lock else query).first()
    if round_ is None:
        raise Problem(404, "round-not-found", "No such round", f"There is no round {round_id}.")
    return round_


def close_round(uow: UnitOfWork, round_id: str, actor: str) -> dict[str, Any]:
    """Close an open round: no run is committed in it afterwards; emits RoundClosed."""
    round_ = find_round(uow.session, round_id, lock=True)
    if round_.status != "open":
        raise Problem(409, "round-closed", "The round is already closed", f"Round {round_id} is closed.")
    before = round_view(round_)
    round_.status, round_.closed_at, round_.closed_by = "closed", now(), actor
    uow.session.flush()
    uow.emit(RoundClosed(round_id=round_.id, closed_at=round_.closed_at), subject=round_.id)
    view = round_view(round_)
    uow.audit(actor=actor, action="round.closed", entity_type="round", entity_id=round_.id, before=before, after=view)
    return view
