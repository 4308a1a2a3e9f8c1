"""The allocation worker: consumes assessments, withdrawals, partnership changes and registry vintages;
relays the outbox; fetches the wards of the registry vintage in force.

Run it with `python -m allocation.worker`.
"""

from functools import partial

from faststream import FastStream

from allocation import bootstrap
from allocation.consumers.loops import registry_credentials, registry_loop
from allocation.consumers.pool import on_application_assessed, on_application_withdrawn, on_partnership_changed
from allocation.consumers.registry import on_registry_updated
from grants_shared.events import (
    AllocationDecided,
    ApplicationAssessed,
    ApplicationWithdrawn,
    GrantAwarded,
    NeighbourhoodRegistryUpdated,
    PartnershipChanged,
    RoundClosed,
    RoundOpened,
)
from grants_shared.worker import WorkerSpec, create_worker, run


def create_app() -> FastStream:
    """Build the FastStream worker of the allocation service (refused without its own client in production)."""
    settings = bootstrap.settings()
    credentials = registry_credentials(settings)
    bootstrap.runtime.migrate_on_start()
    return create_worker(
        WorkerSpec(
            service="allocation",
            sessions=bootstrap.sessions(),
            settings=settings,
            consumes=[
                (ApplicationAssessed, on_application_assessed),
                (ApplicationWithdrawn, on_application_withdrawn),
                (PartnershipChanged, on_partnership_changed),
                (NeighbourhoodRegistryUpdated, on_registry_updated),
            ],
            publishes=[RoundOpened, RoundClosed, AllocationDecided, GrantAwarded],
            loops=[partial(registry_loop, credentials=credentials)],
        )
    )


if __name__ == "__main__":
    run(create_app())
