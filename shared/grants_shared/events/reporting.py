"""Events published by the reporting service."""

from datetime import datetime

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


class ReportAccepted(_ReportingEvent):
    """An assessor accepted an impact report; the next tranche may be released."""

    event_type = "report-accepted"
    report_id: str
    grant_id: str
    period_number: int
    accepted_by: str
    accepted_at: datetime


class ReportChangesRequested(_ReportingEvent):
    """An assessor asked for changes to an impact report, with the reasons."""

    event_type = "report-changes-requested"
    report_id: str
    grant_id: str
    period_number: int
    reasons: list[str]
    requested_by: str
    requested_at: datetime
