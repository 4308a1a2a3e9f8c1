"""The reporting worker: every event of the other services into the timeline and projections, plus the relay."""

import asyncio
import logging

from faststream import FastStream

from grants_shared.events import (
    ReportAccepted,
    ReportChangesRequested,
    ReportOverdue,
    ReportReminderDue,
    ReportSubmitted,
)
from grants_shared.worker import WorkerContext, WorkerSpec, create_worker, run
from reporting import bootstrap
from reporting.consumers.events import consumed
from reporting.usecases.reminders import send_reminders
from reporting.webhooks import running as webhooks

GROUP = "reporting"
log = logging.getLogger(__name__)


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


def create_app() -> FastStream:
    """Build the worker (`python -m reporting.worker`, or `faststream run reporting.worker:create_app --factory`)."""
    bootstrap.runtime.migrate_on_start()
    return create_worker(
        WorkerSpec(
            service=GROUP,
            sessions=bootstrap.sessions(),
            settings=bootstrap.settings(),
            consumes=consumed(),
            publishes=[ReportSubmitted, ReportAccepted, ReportChangesRequested, ReportReminderDue, ReportOverdue],
            loops=[reminder_loop, webhooks.consume, webhooks.send],
        )
    )


if __name__ == "__main__":
    run(create_app())
