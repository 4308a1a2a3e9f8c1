"""Projections of rounds and grants: the fund's budget and its commitments."""

from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from grants_shared.clock import as_utc
from grants_shared.delivery import NotReady, awaiting
from grants_shared.events import Envelope, GrantAwarded, GrantCompleted, RoundClosed, RoundOpened
from reporting.adapters.orm import Grant, Round
from reporting.adapters.rows import exists, insert_later
from reporting.domain.status import grant_ending, grant_sources


def round_opened(envelope: Envelope[RoundOpened], session: Session) -> None:
    """Record a round and its budget (once per round)."""
    p = envelope.payload
    if session.get(Round, p.round_id) is None:
        session.add(
            Round(
                round_id=p.round_id,
                name=p.name,
                budget_pence=p.budget_pence,
                opened_at=as_utc(p.opened_at),
                demonstration=p.demonstration or p.scenario,  # neither counts in the fund's budget
            )
        )


def round_closed(envelope: Envelope[RoundClosed], session: Session) -> None:
    """Mark a round closed; waits for its RoundOpened."""
    p = envelope.payload
    if session.get(Round, p.round_id) is None:
        raise NotReady(f"round {p.round_id} not opened yet", waits_for=awaiting("round_id", p.round_id))
    session.execute(
        update(Round)
        .where(Round.round_id == p.round_id, Round.closed_at.is_(None))
        .values(closed_at=as_utc(p.closed_at))
    )


def grant_awarded(envelope: Envelope[GrantAwarded], session: Session) -> None:
    """Record an awarded grant (once per grant id)."""
    p = envelope.payload
    insert_later(
        session,
        Grant,
        {
            "grant_id": p.grant_id,
            "application_id": p.application_id,
            "round_id": p.round_id,
            "organisation_id": p.organisation_id,
            "partnership_id": p.partnership_id,
            "neighbourhood_code": p.neighbourhood_code,
            "region_code": p.region_code,
            "imd_decile": p.imd_decile,
            "amount_pence": p.amount_pence,
            "duration_months": p.duration_months,
            "grant_type": p.grant_type,
            "demonstration": p.demonstration,
            "paid_pence": 0,
            "returned_pence": 0,
            "released_pence": 0,
            "status": "awarded",
            "awarded_at": as_utc(p.awarded_at),
            "amount_at": as_utc(envelope.occurred_at),
        },
    )


def grant_completed(envelope: Envelope[GrantCompleted], session: Session) -> None:
    """Mark a grant completed (a closed grant stays closed); waits for its GrantAwarded."""
    p = envelope.payload
    require_grant(session, p.grant_id, "grant-completed")
    session.execute(
        update(Grant)
        .where(Grant.grant_id == p.grant_id, Grant.status.in_(grant_sources("completed")))
        .values(grant_ending("completed", p.completed_at))
    )


def require_grant(session: Session, grant_id: str, event_type: str) -> None:
    """NotReady when the grant's GrantAwarded has not arrived yet."""
    if not exists(session, Grant, grant_id):
        raise NotReady(f"{event_type} for grant {grant_id} before its grant-awarded")


HANDLERS: dict[type[Any], Any] = {
    RoundOpened: round_opened,
    RoundClosed: round_closed,
    GrantAwarded: grant_awarded,
    GrantCompleted: grant_completed,
}
