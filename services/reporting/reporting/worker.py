"""The reporting worker: every event of the other services into the timeline and projections, plus the relay."""

from faststream import FastStream

from grants_shared.events import (
    ReportAccepted,
    ReportChangesRequested,
    ReportOverdue,
    ReportReminderDue,
    ReportSubmitted,
)
from grants_shared.worker import WorkerSpec, create_worker, run
from reporting import bootstrap
from reporting.consumers.events import consumed
from reporting.usecases.reminders import reminder_loop

GROUP = "reporting"


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
            loops=[reminder_loop],
        )
    )


if __name__ == "__main__":
    run(create_app())
