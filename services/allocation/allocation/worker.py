"""The allocation worker: consumes assessments, withdrawals and partnership changes; relays the outbox.

Run it with `python -m allocation.worker`.
"""

from faststream import FastStream

from allocation import bootstrap
from allocation.consumers import on_application_assessed, on_application_withdrawn, on_partnership_changed
from grants_shared.events import (
    AllocationDecided,
    ApplicationAssessed,
    ApplicationWithdrawn,
    GrantAwarded,
    PartnershipChanged,
    RoundClosed,
    RoundOpened,
)
from grants_shared.worker import WorkerSpec, create_worker, run


def create_app() -> FastStream:
    """Build the FastStream worker of the allocation service."""
    return create_worker(WorkerSpec(
        service="allocation",
        sessions=bootstrap.sessions(),
        settings=bootstrap.settings(),
        consumes=[
            (ApplicationAssessed, on_application_assessed),
            (ApplicationWithdrawn, on_application_withdrawn),
            (PartnershipChanged, on_partnership_changed),
        ],
        publishes=[RoundOpened, RoundClosed, AllocationDecided, GrantAwarded],
    ))


if __name__ == "__main__":
    run(create_app())
