"""The application lifecycle: which moves are allowed from which status, and why not otherwise."""

from enum import StrEnum


class Status(StrEnum):
    """Where an application is in its life."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    WITHDRAWN = "withdrawn"


class Theme(StrEnum):
    """The building blocks an application may say it will fund."""

    PLACES_TO_MEET = "places_to_meet"
    CIVIC_ORGANISATIONS = "civic_organisations"
    SKILLS = "skills"
    HEALTH = "health"
    EMPLOYMENT = "employment"
    EDUCATION = "education"
    ENVIRONMENT = "environment"
    HOUSING = "housing"
    YOUTH = "youth"
    OLDER_PEOPLE = "older_people"


# An eligible application keeps its neighbourhood's single live slot until it is withdrawn
# or allocation decides against it; submitted is the moment between submission and assessment.
LIVE = (Status.SUBMITTED, Status.ELIGIBLE)
# Statuses whose assessment follows the partnership: re-assessed when its membership changes the rules' results.
ASSESSED = (Status.SUBMITTED, Status.ELIGIBLE, Status.INELIGIBLE)


def edit_refusal(status: str) -> str | None:
    """Why an application in `status` may not be edited, or None when it may."""
    if status == Status.DRAFT:
        return None
    return f"the application is {status}; only a draft can be changed (submitted versions are immutable)"


def submit_refusal(status: str) -> str | None:
    """Why an application in `status` may not be submitted, or None when it may."""
    if status == Status.DRAFT:
        return None
    return f"the application is {status}; only a draft can be submitted"


def withdraw_refusal(status: str, awarded: bool) -> str | None:
    """Why an application may not be withdrawn, or None when it may."""
    if status == Status.WITHDRAWN:
        return "the application is already withdrawn"
    if awarded:
        return "the application has been awarded a grant; a grant is closed through payments, not withdrawn"
    return None
