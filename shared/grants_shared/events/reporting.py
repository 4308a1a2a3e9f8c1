"""Events published by the reporting service."""

from datetime import date, datetime

from grants_shared.events.envelope import Event


class _ReportingEvent(Event):
    producer = "reporting"


class ReportSubmitted(_ReportingEvent):
    """A partnership submitted an impact report for a period of its grant."""

    event_type = "report-submitted"
    report_id: str
    grant_id: str
    period_number: int
    submitted_by: str
    submitted_at: datetime
    version: int | None = None  # which submission of the period this is (1, then 2 after changes were asked for...)


class ReportAccepted(_ReportingEvent):
    """An assessor accepted an impact report; the next tranche may be released."""

    event_type = "report-accepted"
    report_id: str
    grant_id: str
    period_number: int
    accepted_by: str
    accepted_at: datetime
    version: int | None = None  # the version of the period's report that was accepted


class ReportChangesRequested(_ReportingEvent):
    """An assessor asked for changes to an impact report, with the reasons."""

    event_type = "report-changes-requested"
    report_id: str
    grant_id: str
    period_number: int
    reasons: list[str]
    requested_by: str
    requested_at: datetime


class ReportReminderDue(_ReportingEvent):
    """A grant's report for a period falls due soon and none is submitted yet (sent once per period)."""

    event_type = "report-reminder-due"
    grant_id: str
    organisation_id: str
    period_number: int
    due_on: date
    days_left: int


class ReportOverdue(_ReportingEvent):
    """A grant's report for a period is past its due date and none is submitted (sent once per period)."""

    event_type = "report-overdue"
    grant_id: str
    organisation_id: str
    period_number: int
    due_on: date
    days_overdue: int
