"""Build the events the allocation service consumes and deliver them as the worker would."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from allocation.consumers.pool import on_application_assessed, on_application_withdrawn, on_partnership_changed
from allocation.consumers.registry import on_registry_updated
from grants_shared.delivery.apply import apply_event
from grants_shared.delivery.messages import Route
from grants_shared.events import (
    ApplicationAssessed,
    ApplicationWithdrawn,
    Envelope,
    NeighbourhoodNeed,
    NeighbourhoodRegistryUpdated,
    PartnershipChanged,
    RuleOutcome,
    wrap,
)
from grants_shared.uow import UnitOfWork

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
REGIONS = ("North East", "North West", "Yorkshire and The Humber", "West Midlands")
HANDLERS: dict[type, Callable[[Envelope[Any], UnitOfWork], None]] = {
    ApplicationAssessed: on_application_assessed,
    ApplicationWithdrawn: on_application_withdrawn,
    PartnershipChanged: on_partnership_changed,
    NeighbourhoodRegistryUpdated: on_registry_updated,
}
ROUTES = [Route(event, handle) for event, handle in HANDLERS.items()]


def need(i: int, *, left_behind: bool = True, imd_mean_rank: float | None = None) -> NeighbourhoodNeed:
    """Neighbourhood i: lower i is more deprived; regions cycle; every third has no CNI score."""
    return NeighbourhoodNeed(
        code=f"E05{i:06d}",
        name=f"Ward {i}",
        region_code=f"E1200000{i % len(REGIONS)}",
        region_name=REGIONS[i % len(REGIONS)],
        population=8000 + i,
        imd_mean_rank=imd_mean_rank if imd_mean_rank is not None else 100.0 + 37.5 * i,
        imd_decile=1 + min(i // 25, 9),
        cni_score=None if i % 3 == 0 else 90.0 - i,
        left_behind=left_behind,
        vintage="IoD2019-synthetic",
        synthetic=True,
    )


def assessed(
    application_id: str,
    neighbourhood: NeighbourhoodNeed,
    *,
    requested_pence: int = 150_000_000,
    eligible: bool = True,
    partnership_id: str | None = None,
    organisation_id: str = "org-1",
    at: datetime = T0,
) -> Envelope[Any]:
    """An ApplicationAssessed envelope."""
    outcomes = [
        RuleOutcome(
            rule="partnership_size",
            passed=eligible,
            detail="8 members" if eligible else "only 5 members, at least 8 needed",
        )
    ]
    payload = ApplicationAssessed(
        application_id=application_id,
        organisation_id=organisation_id,
        partnership_id=partnership_id or f"p-{application_id}",
        eligible=eligible,
        outcomes=outcomes,
        rules_version="2026.1",
        requested_pence=requested_pence,
        duration_months=120,
        neighbourhood=neighbourhood,
        assessed_at=at,
    )
    return wrap(payload, subject=application_id, occurred_at=at)


def withdrawn(application_id: str, at: datetime = T0) -> Envelope[Any]:
    """An ApplicationWithdrawn envelope."""
    payload = ApplicationWithdrawn(application_id=application_id, reason="merged with another bid", withdrawn_at=at)
    return wrap(payload, subject=application_id, occurred_at=at)


def partnership(partnership_id: str, compliant: bool, at: datetime = T0) -> Envelope[Any]:
    """A PartnershipChanged envelope."""
    outcome = RuleOutcome(
        rule="resident_majority",
        passed=compliant,
        detail="5 of 8 are residents" if compliant else "3 of 8 are residents, at least half needed",
    )
    payload = PartnershipChanged(
        partnership_id=partnership_id,
        organisation_id="org-1",
        neighbourhood_code="E05000001",
        member_count=8,
        resident_count=5 if compliant else 3,
        compliant=compliant,
        outcomes=[outcome],
        changed_at=at,
    )
    return wrap(payload, subject=partnership_id, occurred_at=at)


def deliver(sessions: sessionmaker[Session], envelope: Envelope[Any]) -> bool:
    """Apply an event through the worker's own path (inbox, unit of work, handler, commit); False for a duplicate."""
    return apply_event(sessions, "allocation", ROUTES, envelope)


def seed_pool(
    sessions: sessionmaker[Session], count: int = 30, *, requested_pence: int = 150_000_000, prefix: str = "app"
) -> list[str]:
    """Assess `count` applications in distinct neighbourhoods with varied need and requests."""
    ids = []
    for i in range(count):
        application_id = f"{prefix}-{i:04d}"
        asked = requested_pence + (i % 5) * 20_000_000
        deliver(sessions, assessed(application_id, need(i), requested_pence=asked, at=T0 + timedelta(minutes=i)))
        ids.append(application_id)
    return ids
