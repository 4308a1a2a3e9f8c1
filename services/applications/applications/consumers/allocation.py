"""Events from other services turned into use cases; each is safe under duplicates and reordering."""

from applications.usecases.decisions import record_decision
from grants_shared.events import AllocationDecided, Envelope
from grants_shared.uow import UnitOfWork


def on_allocation_decided(envelope: Envelope[AllocationDecided], uow: UnitOfWork) -> None:
    """Store the decision on its application; an application not seen yet makes the event wait (NotReady)."""
    record_decision(uow, envelope.payload, event_id=envelope.event_id)
