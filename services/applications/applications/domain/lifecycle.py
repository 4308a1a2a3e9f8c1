"""The application lifecycle: which moves are allowed from which status, and why not otherwise.

Every status change of an application goes through `submit`, `assess` or `withdraw` here, which refuse a move the
lifecycle does not allow (`MoveRefused`); nothing else assigns `status`.
"""

from enum import StrEnum
from typing import Protocol


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


MOVES: dict[Status, frozenset[Status]] = {
    Status.DRAFT: frozenset({Status.SUBMITTED, Status.WITHDRAWN}),
    Status.SUBMITTED: frozenset({Status.ELIGIBLE, Status.INELIGIBLE, Status.WITHDRAWN}),
    # Re-assessment after a membership change may confirm or flip the result.
    Status.ELIGIBLE: frozenset({Status.ELIGIBLE, Status.INELIGIBLE, Status.WITHDRAWN}),
    Status.INELIGIBLE: frozenset({Status.ELIGIBLE, Status.INELIGIBLE, Status.WITHDRAWN}),
    Status.WITHDRAWN: frozenset(),
}
"""The moves the lifecycle allows: from a status to those it may become."""


class MoveRefused(Exception):
    """The lifecycle refuses a move; the message says why."""


class HasStatus(Protocol):
    """Anything with an application status (the stored row)."""

    status: str


def allows(current: str, target: str) -> bool:
    """True when an application in `current` may become `target`."""
    return Status(target) in MOVES[Status(current)]


def submit(app: HasStatus) -> None:
    """Move a draft to submitted."""
    _move(app, Status.SUBMITTED, submit_refusal(app.status))


def assess(app: HasStatus, eligible: bool) -> None:
    """Move a submitted (or re-assessed) application to eligible or ineligible."""
    _move(app, Status.ELIGIBLE if eligible else Status.INELIGIBLE, None)


def withdraw(app: HasStatus, *, awarded: bool) -> None:
    """Move an application to withdrawn (never once awarded a grant)."""
    _move(app, Status.WITHDRAWN, withdraw_refusal(app.status, awarded))


def check_editable(app: HasStatus) -> None:
    """Refuse a change to anything but a draft (a submitted version is immutable)."""
    if (refusal := edit_refusal(app.status)) is not None:
        raise MoveRefused(refusal)


def _move(app: HasStatus, target: Status, refusal: str | None) -> None:
    if refusal is None and not allows(app.status, target):
        refusal = f"the application is {app.status}; it cannot become {target}"
    if refusal is not None:
        raise MoveRefused(refusal)
    app.status = target.value
