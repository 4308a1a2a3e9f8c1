"""The event catalogue: every event of every service, and the envelope they travel in."""

from grants_shared.events.allocation import AllocationDecided, GrantAwarded, RoundClosed, RoundOpened
from grants_shared.events.applications import (
    ApplicationAssessed,
    ApplicationSubmitted,
    ApplicationWithdrawn,
    NeighbourhoodNeed,
    NeighbourhoodRegistryUpdated,
    PartnershipChanged,
    RuleOutcome,
)
from grants_shared.events.envelope import Envelope, Event, wrap
from grants_shared.events.payments import (
    GrantClosed,
    GrantCompleted,
    GrantVaried,
    PaymentFailed,
    PaymentInstructed,
    PaymentReturned,
    PaymentSettled,
    ReconciliationDifferenceFound,
    ReconciliationDifferenceResolved,
    ScheduledTranche,
    TrancheHeld,
    TrancheReleased,
    TrancheResumed,
    TrancheScheduled,
)
from grants_shared.events.reporting import (
    ReportAccepted,
    ReportChangesRequested,
    ReportOverdue,
    ReportReminderDue,
    ReportSubmitted,
)

ALL_EVENTS: tuple[type[Event], ...] = (
    ApplicationSubmitted,
    ApplicationAssessed,
    ApplicationWithdrawn,
    PartnershipChanged,
    NeighbourhoodRegistryUpdated,
    RoundOpened,
    RoundClosed,
    AllocationDecided,
    GrantAwarded,
    TrancheScheduled,
    TrancheReleased,
    TrancheHeld,
    PaymentInstructed,
    PaymentSettled,
    PaymentFailed,
    PaymentReturned,
    GrantCompleted,
    TrancheResumed,
    GrantVaried,
    GrantClosed,
    ReconciliationDifferenceFound,
    ReconciliationDifferenceResolved,
    ReportSubmitted,
    ReportAccepted,
    ReportChangesRequested,
    ReportReminderDue,
    ReportOverdue,
)

BY_STREAM: dict[str, type[Event]] = {e.stream(): e for e in ALL_EVENTS}


def event_class(event_type: str, version: int, producer: str) -> type[Event]:
    """The payload class for an envelope's type, version and producer (KeyError when unknown)."""
    return BY_STREAM[f"grants.{producer}.{event_type}.v{version}"]


__all__ = [
    "ALL_EVENTS",
    "BY_STREAM",
    "Envelope",
    "Event",
    "NeighbourhoodNeed",
    "RuleOutcome",
    "ScheduledTranche",
    "event_class",
    "wrap",
    "AllocationDecided",
    "ApplicationAssessed",
    "ApplicationSubmitted",
    "ApplicationWithdrawn",
    "GrantAwarded",
    "GrantClosed",
    "GrantCompleted",
    "GrantVaried",
    "NeighbourhoodRegistryUpdated",
    "PartnershipChanged",
    "PaymentFailed",
    "PaymentInstructed",
    "PaymentReturned",
    "PaymentSettled",
    "ReconciliationDifferenceFound",
    "ReconciliationDifferenceResolved",
    "ReportAccepted",
    "ReportChangesRequested",
    "ReportOverdue",
    "ReportReminderDue",
    "ReportSubmitted",
    "RoundClosed",
    "RoundOpened",
    "TrancheHeld",
    "TrancheReleased",
    "TrancheResumed",
    "TrancheScheduled",
]
