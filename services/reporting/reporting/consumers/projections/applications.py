"""Projection of applications: their latest status, from the applications and allocation services."""

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from grants_shared.clock import as_utc
from grants_shared.events import (
    AllocationDecided,
    ApplicationAssessed,
    ApplicationSubmitted,
    ApplicationWithdrawn,
    Envelope,
)
from reporting.adapters.orm import Application
from reporting.consumers.projections.public import record_decision, record_neighbourhood
from reporting.consumers.projections.status import advance_application
from reporting.domain.status import APPLICATION_RANKS


def application_submitted(envelope: Envelope[ApplicationSubmitted], session: Session) -> None:
    """An application was submitted."""
    p = envelope.payload
    _move(session, p.application_id, "submitted", envelope.occurred_at, p.organisation_id, p.neighbourhood_code)


def application_assessed(envelope: Envelope[ApplicationAssessed], session: Session) -> None:
    """An application was found eligible or ineligible."""
    p = envelope.payload
    status = "eligible" if p.eligible else "ineligible"
    _move(session, p.application_id, status, envelope.occurred_at, p.organisation_id, p.neighbourhood.code)
    record_neighbourhood(session, p.neighbourhood)


def application_withdrawn(envelope: Envelope[ApplicationWithdrawn], session: Session) -> None:
    """An application was withdrawn."""
    _move(session, envelope.payload.application_id, "withdrawn", envelope.occurred_at)


def allocation_decided(envelope: Envelope[AllocationDecided], session: Session) -> None:
    """An allocation run awarded an application or passed it over."""
    p = envelope.payload
    status = "awarded" if p.awarded else "not_awarded"
    _move(session, p.application_id, status, envelope.occurred_at, neighbourhood_code=p.neighbourhood_code)
    record_decision(session, p)


def _move(
    session: Session,
    application_id: str,
    status: str,
    at: datetime,
    organisation_id: str | None = None,
    neighbourhood_code: str | None = None,
) -> None:
    # Any event may be the first to arrive: it creates the row, later ones fill in what it lacked.
    application = session.get(Application, application_id)
    if application is None:
        session.add(
            Application(
                application_id=application_id,
                organisation_id=organisation_id,
                neighbourhood_code=neighbourhood_code,
                status=status,
                status_rank=APPLICATION_RANKS[status],
                status_at=as_utc(at),
            )
        )
        return
    application.organisation_id = application.organisation_id or organisation_id
    application.neighbourhood_code = application.neighbourhood_code or neighbourhood_code
    session.flush()
    advance_application(session, application_id, status, at)


HANDLERS: dict[type[Any], Any] = {
    ApplicationSubmitted: application_submitted,
    ApplicationAssessed: application_assessed,
    ApplicationWithdrawn: application_withdrawn,
    AllocationDecided: allocation_decided,
}
