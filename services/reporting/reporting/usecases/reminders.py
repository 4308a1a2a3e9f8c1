"""Report reminders: an event when a report falls due soon and another when it is overdue, once per period each.

The marker row (`report_reminders`) and the event's outbox row are written in one transaction, and the marker is
inserted only when absent (ON CONFLICT DO NOTHING), so a reminder is sent exactly once however often the loop runs
and however many workers run it.
"""

from datetime import date

from grants_shared.clock import Clock, system_clock
from grants_shared.events import ReportOverdue, ReportReminderDue
from grants_shared.uow import UnitOfWork
from reporting.adapters.orm_outcomes import ReportReminder
from reporting.adapters.rows import insert_once
from reporting.read.schedule import ScheduledReport, report_schedule


def send_reminders(uow: UnitOfWork, reminder_days: int, clock: Clock = system_clock) -> int:
    """Emit the reminders owed today that were not sent before; returns how many were sent."""
    now = clock()
    today = now.date()
    sent = 0
    for owed in report_schedule(uow.session, today, reminder_days):
        if owed.status not in ("due", "overdue"):
            continue
        marker = {
            "grant_id": owed.grant_id,
            "period_number": owed.period.number,
            "kind": owed.status,
            "due_on": owed.period.due_on,
            "sent_at": now,
        }
        if insert_once(uow.session, ReportReminder, marker):
            uow.emit(_event(owed, today), subject=owed.grant_id)
            sent += 1
    return sent


def _event(owed: ScheduledReport, today: date) -> ReportReminderDue | ReportOverdue:
    days = (owed.period.due_on - today).days
    common = {
        "grant_id": owed.grant_id,
        "organisation_id": owed.organisation_id,
        "period_number": owed.period.number,
        "due_on": owed.period.due_on,
    }
    if owed.status == "due":
        return ReportReminderDue(**common, days_left=days)
    return ReportOverdue(**common, days_overdue=-days)
