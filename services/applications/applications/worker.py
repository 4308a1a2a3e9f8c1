"""The applications worker: `python -m applications.worker` (AllocationDecided in, the outbox relayed out)."""

from faststream import FastStream

from applications import bootstrap
from applications.consumers import on_allocation_decided
from grants_shared.events import (
    AllocationDecided,
    ApplicationAssessed,
    ApplicationSubmitted,
    ApplicationWithdrawn,
    NeighbourhoodRegistryUpdated,
    PartnershipChanged,
)
from grants_shared.worker import WorkerSpec, create_worker, run


def create_app() -> FastStream:
    """Build the FastStream worker: its consumer group, the outbox relay."""
    bootstrap.runtime.migrate_on_start()
    return create_worker(
        WorkerSpec(
            service="applications",
            sessions=bootstrap.sessions(),
            settings=bootstrap.settings(),
            consumes=[(AllocationDecided, on_allocation_decided)],
            publishes=[
                ApplicationSubmitted,
                ApplicationAssessed,
                ApplicationWithdrawn,
                PartnershipChanged,
                NeighbourhoodRegistryUpdated,
            ],
        )
    )


if __name__ == "__main__":
    run(create_app())
