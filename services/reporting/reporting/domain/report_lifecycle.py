"""The impact report lifecycle: a report is submitted, then accepted or sent back for changes, and stays there.

Every status change of a report goes through `start`, `accept` or `request_changes` here, which refuse a move
the lifecycle does not allow (`ReportNotSubmitted`); nothing else assigns a report's `status`.
"""

from enum import StrEnum
from typing import Protocol

from grants_shared.errors import Conflict


class ReportStatus(StrEnum):
    """Where an impact report is in its life."""

    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    CHANGES_REQUESTED = "changes_requested"


MOVES: dict[ReportStatus, frozenset[ReportStatus]] = {
    ReportStatus.SUBMITTED: frozenset({ReportStatus.ACCEPTED, ReportStatus.CHANGES_REQUESTED}),
    ReportStatus.ACCEPTED: frozenset(),
    # A report sent back stays as it was; the partnership submits a new report for the period.
    ReportStatus.CHANGES_REQUESTED: frozenset(),
}
"""The moves the lifecycle allows: from a status to those it may become."""


class ReportNotSubmitted(Conflict):
    """Only a submitted report can be reviewed (409)."""

    default_code = "report-not-submitted"
    default_title = "Only a submitted report can be reviewed"


class HasReportStatus(Protocol):
    """Anything with a report id and status (the stored row)."""

    id: str
    status: str


def allows(current: str, target: str) -> bool:
    """True when a report in `current` may become `target`."""
    return ReportStatus(target) in MOVES[ReportStatus(current)]


def check_reviewable(report: HasReportStatus) -> None:
    """Refuse to review a report that is no longer submitted."""
    if not (allows(report.status, ReportStatus.ACCEPTED) and allows(report.status, ReportStatus.CHANGES_REQUESTED)):
        raise _refusal(report)


def start(report: HasReportStatus) -> None:
    """A new report begins submitted."""
    report.status = ReportStatus.SUBMITTED.value


def accept(report: HasReportStatus) -> None:
    """Move a submitted report to accepted."""
    _move(report, ReportStatus.ACCEPTED)


def request_changes(report: HasReportStatus) -> None:
    """Move a submitted report to changes requested."""
    _move(report, ReportStatus.CHANGES_REQUESTED)


def _move(report: HasReportStatus, target: ReportStatus) -> None:
    if not allows(report.status, target):
        raise _refusal(report)
    report.status = target.value


def _refusal(report: HasReportStatus) -> ReportNotSubmitted:
    return ReportNotSubmitted(f"Report {report.id} is {report.status}.", status_now=report.status)
