"""Report reminders: an event when a report falls due soon and another when it is overdue, once per period each.

The marker row (`report_reminders`) and the event's outbox row are written in one transaction, and the marker is
inserted only when absent (ON CONFLICT DO NOTHING), so a reminder is sent exactly once however often the loop runs
and however many workers run it.
"""

import asyncio
import logging
from datetime import date

from grants_shared.clock import Clock, system_clock
from grants_shared.events import ReportOverdue, ReportReminderDue
from grants_shared.uow import UnitOfWork
from grants_shared.worker import WorkerContext
from reporting import bootstrap
from reporting.adapters.orm_outcomes import ReportReminder
from reporting.adapters.rows import insert_once
from reporting.read.schedule import ScheduledReport, report_schedule

log = logging.getLogger(__name__)


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


async def reminder_loop(context: WorkerContext) -> None:
    """The worker's loop: send the reminders owed, then wait REPORTING_REPORT_REMINDER_INTERVAL_S, forever."""
    settings = bootstrap.settings()
    while True:
        try:
            sent = await context.writer.run(
                context.writer.transact, lambda uow: send_reminders(uow, settings.report_reminder_days)
            )
            if sent:
                log.info("sent %d report reminders", sent)
        except Exception:
            log.exception("report reminders failed; trying again next turn")
        await asyncio.sleep(settings.report_reminder_interval_s)
