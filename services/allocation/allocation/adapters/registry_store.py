"""Writing and reading the registry allocation holds: the vintage in force and its wards."""

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from allocation.adapters.registry_tables import RegistryVintage, RegistryWard
from allocation.domain.lifecycle import HELD, PENDING, move_vintage
from grants_shared.clock import iso, now
from grants_shared.uow import UnitOfWork

BATCH = 2_000
ACTOR = "allocation-worker:registry"
# A held vintage's wards never change once stored, so a process reads them once (keyed by when they were stored).
_HELD: dict[tuple[str, int, str], tuple[dict[str, Any], ...]] = {}


def in_force(session: Session) -> RegistryVintage | None:
    """The newest announced vintage (by loaded_at, then inputs hash): the one in force."""
    query = select(RegistryVintage).order_by(RegistryVintage.loaded_at.desc(), RegistryVintage.inputs_hash.desc())
    return session.scalars(query.limit(1)).first()


def held_wards(session: Session, vintage: RegistryVintage) -> tuple[dict[str, Any], ...]:
    """Every ward snapshot of a held vintage, by code (read-only: shared by every run of this process)."""
    key = (vintage.inputs_hash, vintage.wards_held, iso(vintage.fetched_at) if vintage.fetched_at else "")
    if key not in _HELD:
        query = select(RegistryWard.snapshot).where(RegistryWard.inputs_hash == vintage.inputs_hash)
        _HELD.clear()  # one vintage is in force at a time: keep only the newest read
        _HELD[key] = tuple(session.scalars(query.order_by(RegistryWard.code)))
    return _HELD[key]


def store_wards(uow: UnitOfWork, inputs_hash: str, wards: list[dict[str, Any]]) -> bool:
    """Store a pending vintage's wards and mark it held, in the caller's transaction; False if not pending."""
    vintage = uow.session.scalars(
        select(RegistryVintage).where(RegistryVintage.inputs_hash == inputs_hash).with_for_update()
    ).first()
    if vintage is None or vintage.status != PENDING:
        return False
    rows = [{"inputs_hash": inputs_hash, "code": w["code"], "snapshot": w} for w in wards]
    for start in range(0, len(rows), BATCH):
        uow.session.execute(insert(RegistryWard), rows[start : start + BATCH])
    move_vintage(vintage, HELD)
    vintage.wards_held, vintage.fetched_at, vintage.last_error = len(rows), now(), None
    uow.session.flush()
    uow.audit(
        actor=ACTOR,
        action="registry.held",
        entity_type="registry_vintage",
        entity_id=inputs_hash,
        before={"status": PENDING},
        after={"status": HELD, "wards": len(rows), "vintage": vintage.name},
    )
    return True


def record_failure(uow: UnitOfWork, inputs_hash: str, error: str) -> None:
    """Count a failed read of a vintage and keep the reason, for operators (GET /registry)."""
    vintage = uow.session.get(RegistryVintage, inputs_hash)
    if vintage is not None and vintage.status == PENDING:
        vintage.attempts, vintage.last_error = vintage.attempts + 1, error[:1000]
