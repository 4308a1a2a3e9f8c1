"""Consumers: keep the pool of assessed applications, withdrawals and partnership compliance up to date.

Each is correct under duplicates (the inbox drops repeats, and every write is keyed) and under reordering
(a projection only moves forward: an older event than the one already applied changes nothing).
"""

from datetime import datetime
from typing import Any

from allocation.adapters.orm import AssessedApplication, Neighbourhood, Partnership, Withdrawal
from grants_shared.clock import as_utc
from grants_shared.events import ApplicationAssessed, ApplicationWithdrawn, Envelope, PartnershipChanged
from grants_shared.uow import UnitOfWork


def _newer(incoming: tuple[datetime, datetime, str], stored: tuple[datetime, datetime, str]) -> bool:
    """Order by the business time, then the envelope time, then the event id (a total, stable order)."""
    return (as_utc(incoming[0]), as_utc(incoming[1]), incoming[2]) > (as_utc(stored[0]), as_utc(stored[1]), stored[2])


def _actor(envelope: Envelope[Any]) -> str:
    return f"event:{envelope.producer}:{envelope.event_type}"


def on_application_assessed(envelope: Envelope[ApplicationAssessed], uow: UnitOfWork) -> None:
    """Put the assessed application in the pool, unless a newer assessment of it is already there."""
    p = envelope.payload
    _record_neighbourhood(envelope, uow)
    row = uow.session.get(AssessedApplication, p.application_id)
    incoming = (p.assessed_at, envelope.occurred_at, envelope.event_id)
    if row is not None and not _newer(incoming, (row.assessed_at, row.event_occurred_at, row.event_id)):
        return
    before = _pool_view(row) if row is not None else None
    if row is None:
        row = AssessedApplication(application_id=p.application_id)
        uow.session.add(row)
    row.organisation_id, row.partnership_id = p.organisation_id, p.partnership_id
    row.eligible, row.rules_version, row.grant_type = p.eligible, p.rules_version, p.grant_type
    row.outcomes = [o.model_dump(mode="json") for o in p.outcomes]
    row.requested_pence, row.duration_months = p.requested_pence, p.duration_months
    row.neighbourhood_code, row.neighbourhood = p.neighbourhood.code, p.neighbourhood.model_dump(mode="json")
    row.assessed_at, row.event_occurred_at, row.event_id = p.assessed_at, envelope.occurred_at, envelope.event_id
    uow.session.flush()
    uow.audit(
        actor=_actor(envelope),
        action="application.assessed",
        entity_type="application",
        entity_id=p.application_id,
        before=before,
        after=_pool_view(row),
    )


def _pool_view(row: AssessedApplication) -> dict[str, Any]:
    return {
        "eligible": row.eligible,
        "requested_pence": row.requested_pence,
        "neighbourhood_code": row.neighbourhood_code,
        "assessed_at": row.assessed_at,
    }


def _record_neighbourhood(envelope: Envelope[ApplicationAssessed], uow: UnitOfWork) -> None:
    """Keep the newest need snapshot of the application's neighbourhood in the registry."""
    p = envelope.payload
    need = p.neighbourhood
    row = uow.session.get(Neighbourhood, need.code)
    if row is not None and as_utc(row.seen_at) >= as_utc(p.assessed_at):
        return
    if row is None:
        row = Neighbourhood(code=need.code)
        uow.session.add(row)
    row.snapshot, row.vintage, row.seen_at = need.model_dump(mode="json"), need.vintage, p.assessed_at
    uow.session.flush()


def on_application_withdrawn(envelope: Envelope[ApplicationWithdrawn], uow: UnitOfWork) -> None:
    """Take the application out of the pool, now or whenever its assessment arrives."""
    p = envelope.payload
    if uow.session.get(Withdrawal, p.application_id) is not None:
        return
    uow.session.add(
        Withdrawal(
            application_id=p.application_id, reason=p.reason, withdrawn_at=p.withdrawn_at, event_id=envelope.event_id
        )
    )
    uow.session.flush()
    uow.audit(
        actor=_actor(envelope),
        action="application.withdrawn",
        entity_type="application",
        entity_id=p.application_id,
        after={"reason": p.reason, "withdrawn_at": p.withdrawn_at},
    )


def on_partnership_changed(envelope: Envelope[PartnershipChanged], uow: UnitOfWork) -> None:
    """Record whether a partnership complies; a non-compliant one is not awarded."""
    p = envelope.payload
    row = uow.session.get(Partnership, p.partnership_id)
    incoming = (p.changed_at, envelope.occurred_at, envelope.event_id)
    if row is not None and not _newer(incoming, (row.changed_at, row.event_occurred_at, row.event_id)):
        return
    before = {"compliant": row.compliant} if row is not None else None
    if row is None:
        row = Partnership(partnership_id=p.partnership_id)
        uow.session.add(row)
    row.organisation_id, row.neighbourhood_code = p.organisation_id, p.neighbourhood_code
    row.member_count, row.resident_count, row.compliant = p.member_count, p.resident_count, p.compliant
    row.outcomes = [o.model_dump(mode="json") for o in p.outcomes]
    row.changed_at, row.event_occurred_at, row.event_id = p.changed_at, envelope.occurred_at, envelope.event_id
    uow.session.flush()
    uow.audit(
        actor=_actor(envelope),
        action="partnership.changed",
        entity_type="partnership",
        entity_id=p.partnership_id,
        before=before,
        after={"compliant": p.compliant},
    )
