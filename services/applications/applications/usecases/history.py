"""A neighbourhood's history on the way to its award: adviser assigned, applications submitted, grants awarded, and
the step from a starter grant to a main application, each recorded as it happens."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from applications.adapters.orm import Application, Decision, NeighbourhoodStep
from applications.domain.rules import MAIN, STARTER
from grants_shared.clock import as_utc
from grants_shared.ids import new_id
from grants_shared.money import format_gbp
from grants_shared.uow import UnitOfWork

ADVISER_ASSIGNED = "adviser_assigned"
APPLICATION_SUBMITTED = "application_submitted"
GRANT_AWARDED = "grant_awarded"
STARTER_TO_MAIN = "starter_to_main"
# Steps recorded in one transaction share their moment: within it, they read in the order they happen.
ORDER_WITHIN_A_MOMENT = (ADVISER_ASSIGNED, APPLICATION_SUBMITTED, STARTER_TO_MAIN, GRANT_AWARDED)


def record_step(
    uow: UnitOfWork, step: str, neighbourhood_code: str, partnership_id: str, at: datetime, **fields: object
) -> None:
    """Append one step to the neighbourhood's history, in the caller's transaction."""
    uow.session.add(
        NeighbourhoodStep(
            id=new_id(),
            step=step,
            neighbourhood_code=neighbourhood_code,
            partnership_id=partnership_id,
            at=at,
            **fields,
        )
    )


def starter_awards(session: Session, neighbourhood_code: str) -> list[str]:
    """Ids of the neighbourhood's starter applications that were awarded a grant."""
    query = (
        select(Application.id)
        .join(Decision, Decision.application_id == Application.id)
        .where(
            Application.neighbourhood_code == neighbourhood_code,
            Application.grant_type == STARTER,
            Decision.awarded.is_(True),
        )
        .order_by(Application.id)
    )
    return list(dict.fromkeys(session.scalars(query)))


def record_submission(uow: UnitOfWork, app: Application, at: datetime) -> None:
    """Record a submission; a main application from a place that had a starter grant is the step up, recorded too."""
    common = {"grant_type": app.grant_type, "application_id": app.id, "amount_pence": app.requested_pence}
    detail = f"{app.grant_type} application submitted (version {app.version}) asking {format_gbp(app.requested_pence)}"
    record_step(uow, APPLICATION_SUBMITTED, app.neighbourhood_code, app.partnership_id, at, detail=detail, **common)
    if app.grant_type != MAIN or app.version != 1:
        return
    earlier = starter_awards(uow.session, app.neighbourhood_code)
    if earlier:
        detail = f"moved from a starter grant (application {', '.join(earlier)}) to a main application"
        record_step(uow, STARTER_TO_MAIN, app.neighbourhood_code, app.partnership_id, at, detail=detail, **common)


def record_award(uow: UnitOfWork, app: Application, amount_pence: int, at: datetime) -> None:
    """Record a grant awarded to one of the neighbourhood's applications."""
    detail = f"{app.grant_type} grant of {format_gbp(amount_pence)} awarded"
    record_step(
        uow,
        GRANT_AWARDED,
        app.neighbourhood_code,
        app.partnership_id,
        at,
        grant_type=app.grant_type,
        application_id=app.id,
        amount_pence=amount_pence,
        detail=detail,
    )


def history(session: Session, neighbourhood_code: str) -> list[NeighbourhoodStep]:
    """The neighbourhood's steps, oldest first."""
    query = select(NeighbourhoodStep).where(NeighbourhoodStep.neighbourhood_code == neighbourhood_code)
    steps = session.scalars(query.order_by(NeighbourhoodStep.at, NeighbourhoodStep.id))
    return sorted(steps, key=lambda s: (as_utc(s.at), ORDER_WITHIN_A_MOMENT.index(s.step)))
