"""Grant types in the use cases: refuse a request no rule of its type could pass, and judge a partnership by the
rules of the grant it is applying for."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from applications.adapters.orm import Application, Partnership
from applications.domain.lifecycle import Status
from applications.domain.rules import GRANT_TYPES, MAIN, partnership_outcomes, rules_for
from applications.read import queries
from grants_shared.errors import Invalid
from grants_shared.events import PartnershipChanged
from grants_shared.money import format_gbp


def refuse_above_type_maximum(session: Session, grant_type: str, requested_pence: int) -> None:
    """422 `requested-above-grant-type-maximum` when a grant type refuses requests above its maximum outright."""
    if not GRANT_TYPES[grant_type].refuse_above_max:
        return
    most = rules_for(queries.rules_in_force(session), grant_type).max_requested_pence
    if requested_pence > most:
        raise Invalid(
            f"A {grant_type} grant is at most {format_gbp(most)}; {format_gbp(requested_pence)} was asked."
            " Apply for the main award instead.",
            code="requested-above-grant-type-maximum",
            title="More than this grant type gives",
            grant_type=grant_type,
            max_requested_pence=most,
        )


def partnership_track(session: Session, partnership_id: str) -> str:
    """The grant type a partnership is applying for: its newest submitted, not withdrawn application's (else main)."""
    query = (
        select(Application.grant_type)
        .where(
            Application.partnership_id == partnership_id,
            Application.version > 0,
            Application.status != Status.WITHDRAWN.value,
        )
        .order_by(Application.submitted_at.desc(), Application.id.desc())
    )
    return session.scalars(query).first() or MAIN


def partnership_changed(session: Session, p: Partnership, now: datetime) -> PartnershipChanged:
    """The partnership's compliance, judged by the partnership rules of the grant type it is applying for."""
    grant_type = partnership_track(session, p.id)
    count = queries.membership(session, p.id)
    outcomes = partnership_outcomes(rules_for(queries.rules_in_force(session), grant_type), count)
    return PartnershipChanged(
        partnership_id=p.id,
        organisation_id=p.organisation_id,
        neighbourhood_code=p.neighbourhood_code,
        member_count=count.members,
        resident_count=count.residents,
        compliant=all(o.passed for o in outcomes),
        outcomes=outcomes,
        changed_at=now,
        grant_type=grant_type,
    )
