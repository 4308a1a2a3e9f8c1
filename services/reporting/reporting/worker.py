"""The reporting worker: every event of the other services into the timeline and projections, plus the relay."""

from faststream import FastStream

from grants_shared.events import ReportAccepted, ReportChangesRequested, ReportSubmitted
from grants_shared.worker import WorkerSpec, create_worker, run
from reporting import bootstrap
from reporting.consumers.events import consumed
from reporting.webhooks import running as webhooks

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
            publishes=[ReportSubmitted, ReportAccepted, ReportChangesRequested],
            loops=[webhooks.consume, webhooks.send],
        )
    )


if __name__ == "__main__":
    run(create_app())
