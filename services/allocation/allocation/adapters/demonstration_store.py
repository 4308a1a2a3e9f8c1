"""Mark and read demonstration rounds; a round is one when it has a demonstration_rounds row."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from allocation.adapters.orm_demonstration import SYNTHETIC_REGISTRY, DemonstrationRound
from allocation.adapters.registry_tables import RegistryVintage
from grants_shared.clock import now


def is_demonstration(session: Session, round_id: str) -> bool:
    """True when the round is a demonstration (its awards count in no fund figure)."""
    return session.get(DemonstrationRound, round_id) is not None


def mark_demonstration(session: Session, round_id: str, reason: str) -> None:
    """Mark the round as a demonstration (once: the first reason stays)."""
    if not is_demonstration(session, round_id):
        session.add(DemonstrationRound(round_id=round_id, reason=reason, marked_at=now()))
        session.flush()


def registry_is_synthetic(session: Session, registry: dict[str, Any] | None) -> bool:
    """True when a run's registry block names a vintage loaded from a synthetic registry."""
    inputs_hash = (registry or {}).get("inputs_hash")
    if inputs_hash is None:
        return False
    query = select(RegistryVintage.synthetic).where(RegistryVintage.inputs_hash == inputs_hash)
    return bool(session.scalars(query).first())


def mark_if_synthetic(session: Session, round_id: str, registry: dict[str, Any] | None) -> bool:
    """Mark the round as a demonstration when its run used a synthetic registry; True when the round is one."""
    if registry_is_synthetic(session, registry):
        mark_demonstration(session, round_id, SYNTHETIC_REGISTRY)
    return is_demonstration(session, round_id)


def demonstration_round_ids() -> Any:
    """A subquery of every demonstration round's id, to leave their awards out of fund sums."""
    return select(DemonstrationRound.round_id)
