"""The reporting worker: every event of the other services into the timeline and projections, plus the relay."""

from faststream import FastStream
from grants_shared.events import ReportAccepted, ReportChangesRequested, ReportSubmitted
from grants_shared.worker import WorkerSpec, create_worker, run
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from reporting import bootstrap
from reporting.consumers import CONSUMED, consumed

GROUP = "reporting"


async def create_groups_from_the_start(redis_url: str) -> None:
    """Create reporting's consumer groups at the start of each stream, so no earlier event is skipped."""
    # FastStream creates a missing group at "$" (new entries only): events published before this worker's
    # first start would never reach reporting. A group that already exists is left as it is.
    client = Redis.from_url(redis_url)
    try:
        for event in CONSUMED:
            try:
                await client.xgroup_create(event.stream(), GROUP, id="0", mkstream=True)
            except ResponseError as error:
                if "BUSYGROUP" not in str(error):
                    raise
    finally:
        await client.aclose()


def create_app() -> FastStream:
    """Build the worker (`python -m reporting.worker`, or `faststream run reporting.worker:create_app --factory`)."""
    settings = bootstrap.settings()
    app = create_worker(
        WorkerSpec(
            service=GROUP,
            sessions=bootstrap.sessions(),
            settings=settings,
            consumes=consumed(),
            publishes=[ReportSubmitted, ReportAccepted, ReportChangesRequested],
        )
    )

    @app.on_startup
    async def _groups() -> None:
        await create_groups_from_the_start(settings.redis_url)

    return app


if __name__ == "__main__":
    run(create_app())
