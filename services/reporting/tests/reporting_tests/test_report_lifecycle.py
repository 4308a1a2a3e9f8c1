"""The impact report lifecycle is the one that runs: submitted, then accepted or sent back, and nothing else."""

from dataclasses import dataclass

import pytest

from reporting.domain import report_lifecycle
from reporting.domain.report_lifecycle import ReportNotSubmitted, ReportStatus
from reporting.domain.status import grant_ending, grant_sources


@dataclass
class Report:
    id: str = "r-1"
    status: str = ""


def test_a_new_report_is_submitted_then_accepted() -> None:
    report = Report()
    report_lifecycle.start(report)
    assert report.status == "submitted"
    report_lifecycle.accept(report)
    assert report.status == "accepted"


def test_a_submitted_report_may_be_sent_back() -> None:
    report = Report(status="submitted")
    report_lifecycle.request_changes(report)
    assert report.status == "changes_requested"


@pytest.mark.parametrize("status", ["accepted", "changes_requested"])
@pytest.mark.parametrize("move", [report_lifecycle.accept, report_lifecycle.request_changes])
def test_a_reviewed_report_refuses_another_review(status: str, move: object) -> None:
    report = Report(status=status)
    with pytest.raises(ReportNotSubmitted) as refused:
        move(report)  # type: ignore[operator]
    assert (refused.value.code, refused.value.extra) == ("report-not-submitted", {"status_now": status})
    assert report.status == status


def test_only_a_submitted_report_is_reviewable() -> None:
    report_lifecycle.check_reviewable(Report(status="submitted"))
    for status in ("accepted", "changes_requested"):
        with pytest.raises(ReportNotSubmitted):
            report_lifecycle.check_reviewable(Report(status=status))
    assert {s for s in ReportStatus if report_lifecycle.MOVES[s]} == {ReportStatus.SUBMITTED}


def test_a_closed_grant_never_becomes_completed() -> None:
    assert grant_sources("completed") == ("awarded",)
    assert grant_sources("closed") == ("awarded", "closed", "completed")
    with pytest.raises(ValueError):
        grant_ending("awarded", at=None)  # type: ignore[arg-type]
