"""What the publication reads from reporting's read models: each grant, its round, the events of its application
(names, places, themes, rationale) and the payments that reached the recipient."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reporting.adapters.orm import Grant, Payment, Round, TimelineEntry, Tranche

# The events of an application that name its organisation, its neighbourhood and why it was funded.
APPLICATION_EVENTS = ("application-submitted", "application-assessed", "allocation-decided")
# Markers another part of the platform may set on a demonstration or scenario run: such grants are never published.
NOT_REAL_MARKERS = ("synthetic", "scenario", "scenario_id", "demo", "demonstration")


@dataclass(frozen=True)
class Disbursement:
    """A payment that settled and was not returned."""

    instruction_id: str
    tranche_number: int
    amount_pence: int
    settled_on: date


@dataclass(frozen=True)
class GrantRecord:
    """A grant as reporting knows it, with the latest payload of each of its application's events."""

    grant: Grant
    round_name: str | None
    events: dict[str, dict[str, Any]]
    disbursements: list[Disbursement] = field(default_factory=list)

    def payload(self, event_type: str) -> dict[str, Any]:
        """The latest payload of `event_type` for the grant's application ({} when none arrived)."""
        return self.events.get(event_type, {})

    @property
    def neighbourhood(self) -> dict[str, Any]:
        """The ward as applications assessed it (name, region, local authority, LSOAs)."""
        need: dict[str, Any] = self.payload("application-assessed").get("neighbourhood") or {}
        return need

    @property
    def is_real(self) -> bool:
        """False for a demonstration grant, or when any of its events or its neighbourhood carries a marker."""
        if self.grant.demonstration:
            return False
        carriers = [*self.events.values(), self.neighbourhood]
        return not any(carrier.get(marker) for carrier in carriers for marker in NOT_REAL_MARKERS)


def grant_records(session: Session) -> list[GrantRecord]:
    """Every grant reporting holds, in award order, with what the publication needs of it."""
    grants = list(session.scalars(select(Grant).order_by(Grant.awarded_at, Grant.grant_id)))
    rounds = dict(session.execute(select(Round.round_id, Round.name)).tuples().all())
    events = _application_events(session)
    paid = _disbursements(session)
    return [
        GrantRecord(g, rounds.get(g.round_id), events.get(g.application_id, {}), paid.get(g.grant_id, []))
        for g in grants
    ]


def _application_events(session: Session) -> dict[str, dict[str, dict[str, Any]]]:
    rows = session.execute(
        select(TimelineEntry.application_id, TimelineEntry.event_type, TimelineEntry.payload)
        .where(TimelineEntry.event_type.in_(APPLICATION_EVENTS), TimelineEntry.application_id.is_not(None))
        .order_by(TimelineEntry.occurred_at, TimelineEntry.id)
    )
    latest: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for application_id, event_type, payload in rows:
        if event_type == "allocation-decided" and not payload.get("awarded"):
            continue  # a later run's decision not to fund does not describe the grant that was awarded
        latest[application_id][event_type] = payload  # in time order: the last one stands
    return latest


def _disbursements(session: Session) -> dict[str, list[Disbursement]]:
    rows = session.execute(
        select(Payment, Tranche.number)
        .join(Tranche, Tranche.tranche_id == Payment.tranche_id)
        .where(Payment.settled_at.is_not(None), Payment.returned_at.is_(None))
        .order_by(Payment.settled_at, Payment.instruction_id)
    )
    paid: dict[str, list[Disbursement]] = defaultdict(list)
    for payment, number in rows:
        if payment.settled_at is not None:  # always, by the query: this tells the type checker
            on = payment.settled_at.date()
            paid[payment.grant_id].append(Disbursement(payment.instruction_id, number, payment.amount_pence, on))
    return paid
