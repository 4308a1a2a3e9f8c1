"""Output models built from stored rows: the one place that decides what a client sees of an object."""

from typing import Any

from sqlalchemy.orm import Session

from applications.adapters.orm import Application, Organisation, Partnership
from applications.domain.rules import RuleSet, partnership_outcomes
from applications.read import queries
from applications.routes.schemas.outputs import (
    ApplicationOut,
    AssessmentOut,
    DecisionOut,
    MemberOut,
    OrganisationOut,
    PartnershipOut,
    RuleOutcomeOut,
)
from grants_shared.clock import as_utc


def organisation_out(org: Organisation) -> OrganisationOut:
    """An organisation as clients see it."""
    return OrganisationOut(
        id=org.id,
        name=org.name,
        org_id=org.org_id,
        fund_holding=org.fund_holding,
        due_diligence=org.due_diligence,
        created_at=as_utc(org.created_at),
        updated_at=as_utc(org.updated_at),
    )


def partnership_out(session: Session, p: Partnership, rules: RuleSet | None = None) -> PartnershipOut:
    """A partnership with its members and its compliance under the rules in force."""
    rules = rules or queries.rules_in_force(session)
    rows = queries.members(session, p.id)
    count = queries.count_members(rows)
    outcomes = partnership_outcomes(rules, count)
    return PartnershipOut(
        id=p.id,
        organisation_id=p.organisation_id,
        name=p.name,
        neighbourhood_code=p.neighbourhood_code,
        members=[
            MemberOut(
                id=m.id,
                name=m.name,
                resident=m.resident,
                joined_on=m.joined_on,
                left_on=m.left_on,
                current=m.left_on is None,
            )
            for m in rows
        ],
        member_count=count.members,
        resident_count=count.residents,
        compliant=all(o.passed for o in outcomes),
        outcomes=[RuleOutcomeOut(**o.model_dump()) for o in outcomes],
        rules_version=rules.version,
        created_at=as_utc(p.created_at),
        updated_at=as_utc(p.updated_at),
    )


def application_out(session: Session, app: Application, *, new: bool = False) -> ApplicationOut:
    """An application with its newest assessment and newest decision (a `new` draft has neither: not looked up)."""
    return ApplicationOut(
        id=app.id,
        status=app.status,
        version=app.version,
        partnership_id=app.partnership_id,
        organisation_id=app.organisation_id,
        neighbourhood_code=app.neighbourhood_code,
        grant_type=app.grant_type,
        requested_pence=app.requested_pence,
        duration_months=app.duration_months,
        themes=list(app.themes),
        summary=app.summary,
        assessment=None if new else _assessment(session, app.id),
        decision=None if new else _decision(session, app.id),
        created_at=as_utc(app.created_at),
        updated_at=as_utc(app.updated_at),
        submitted_at=as_utc(app.submitted_at) if app.submitted_at else None,
        withdrawn_at=as_utc(app.withdrawn_at) if app.withdrawn_at else None,
        withdrawal_reason=app.withdrawal_reason,
    )


def _assessment(session: Session, application_id: str) -> AssessmentOut | None:
    row = queries.latest_assessment(session, application_id)
    if row is None:
        return None
    return AssessmentOut(
        eligible=row.eligible,
        outcomes=[RuleOutcomeOut(**o) for o in row.outcomes],
        rules_version=row.rules_version,
        version=row.version,
        sequence=row.seq,
        trigger=row.trigger,
        neighbourhood=row.neighbourhood,
        assessed_at=as_utc(row.assessed_at),
    )


def _decision(session: Session, application_id: str) -> DecisionOut | None:
    row = queries.latest_decision(session, application_id)
    if row is None:
        return None
    return DecisionOut(
        outcome=row.outcome,
        awarded=row.awarded,
        awarded_pence=row.awarded_pence,
        rank=row.rank,
        ranked_of=row.ranked_of,
        need_score=row.need_score,
        rationale=row.rationale,
        run_id=row.run_id,
        round_id=row.round_id,
        decided_at=as_utc(row.decided_at),
    )


def json_body(model: Any) -> dict[str, Any]:
    """A response model as a JSON-ready dict."""
    body: dict[str, Any] = model.model_dump(mode="json")
    return body
