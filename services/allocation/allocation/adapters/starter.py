"""The pool of a round by grant type: a starter round sees starter applications of places not ready for a main award."""

from sqlalchemy import ColumnElement, and_, select

from allocation.adapters.orm import AssessedApplication, Award, Withdrawal
from allocation.domain.starter import MAIN, STARTER


def ready_for_main() -> ColumnElement[bool]:
    """True for an application whose neighbourhood has a main award, or a main application assessed eligible."""
    main = select(AssessedApplication.neighbourhood_code).where(AssessedApplication.grant_type == MAIN)
    awarded = main.join(Award, Award.application_id == AssessedApplication.application_id)
    eligible = main.outerjoin(Withdrawal, Withdrawal.application_id == AssessedApplication.application_id).where(
        AssessedApplication.eligible.is_(True), Withdrawal.application_id.is_(None)
    )
    return AssessedApplication.neighbourhood_code.in_(awarded.union(eligible).scalar_subquery())


def of_grant_type(grant_type: str) -> ColumnElement[bool]:
    """The pool condition of a round of `grant_type` (main rounds never see starter applications, nor back)."""
    same_type = AssessedApplication.grant_type == grant_type
    if grant_type == STARTER:
        return and_(same_type, ~ready_for_main())
    return same_type
