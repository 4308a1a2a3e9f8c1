"""Putting a registry import in force: one transaction, idempotent by the inputs hash."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select, update

from applications.adapters.orm import Lsoa21Score, LsoaBridge, Neighbourhood, NeighbourhoodLsoa, RegistryVintage
from applications.adapters.registry import RegistryImport
from applications.adapters.registry_rows import is_synthetic, lsoa21_row, lsoa_row, sources, ward_row
from applications.adapters.snapshot import row_dict
from grants_shared.events import NeighbourhoodRegistryUpdated
from grants_shared.ids import new_id
from grants_shared.uow import UnitOfWork

BATCH = 5_000


@dataclass(frozen=True)
class LoadOutcome:
    """What a load did: the vintage now in force and whether anything changed (and how)."""

    vintage: RegistryVintage
    changed: bool
    how: str  # "loaded", "reinstated" or "unchanged"


Progress = Callable[[int], None]


def load_registry(
    uow: UnitOfWork, registry: RegistryImport, *, actor: str, progress: Progress | None = None
) -> LoadOutcome:
    """Store a registry import and put it in force; the same inputs hash already in force changes nothing.

    `progress` hears how many rows each batch wrote (nothing when no rows are written).
    """
    session = uow.session
    query = select(RegistryVintage).where(RegistryVintage.inputs_hash == registry.vintage.inputs_hash)
    known = session.scalars(query).first()
    if known is not None and known.in_force:
        return LoadOutcome(known, changed=False, how="unchanged")
    vintage, how = (known, "reinstated") if known is not None else (_insert(uow, registry, progress), "loaded")
    previous = session.scalars(select(RegistryVintage).where(RegistryVintage.in_force.is_(True))).all()
    session.execute(update(RegistryVintage).where(RegistryVintage.in_force.is_(True)).values(in_force=False))
    vintage.in_force = True
    session.flush()
    uow.emit(
        NeighbourhoodRegistryUpdated(
            vintage=vintage.name,
            inputs_hash=vintage.inputs_hash,
            ward_count=vintage.ward_count,
            left_behind_count=vintage.left_behind_count,
            synthetic=vintage.synthetic,
            loaded_at=datetime.now(UTC),
        ),
        subject=vintage.id,
    )
    uow.audit(
        actor=actor,
        action=f"registry.{how}",
        entity_type="registry_vintage",
        entity_id=vintage.id,
        before={"in_force": [v.id for v in previous]},
        after=row_dict(vintage),
    )
    return LoadOutcome(vintage, changed=True, how=how)


def _insert(uow: UnitOfWork, registry: RegistryImport, progress: Progress | None) -> RegistryVintage:
    session = uow.session
    vintage = RegistryVintage(
        id=new_id(),
        name=registry.vintage.name,
        inputs_hash=registry.vintage.inputs_hash,
        method=registry.vintage.method,
        synthetic=is_synthetic(registry),
        has_left_behind_flag=any(w.cni is not None for w in registry.wards),
        sources=sources(registry),
        ward_count=len(registry.wards),
        lsoa_count=len(registry.lsoas),
        left_behind_count=sum(1 for w in registry.wards if w.left_behind),
        lsoa21_count=0 if registry.iod2025 is None else len(registry.iod2025.lsoas),
        loaded_at=datetime.now(UTC),
        in_force=False,
    )
    session.add(vintage)
    session.flush()
    for entity, rows in _rows(vintage.id, registry):
        table = cast(Table, entity.__table__)
        for start in range(0, len(rows), BATCH):
            session.execute(insert(table), rows[start : start + BATCH])
            if progress is not None:
                progress(len(rows[start : start + BATCH]))
    return vintage


def _rows(vintage_id: str, registry: RegistryImport) -> list[tuple[Any, list[dict[str, Any]]]]:
    total, layer = len(registry.lsoas), registry.iod2025
    wards = [ward_row(vintage_id, w, total, None if layer is None else layer.wards[w.code]) for w in registry.wards]
    tables: list[tuple[Any, list[dict[str, Any]]]] = [
        (Neighbourhood, wards),
        (NeighbourhoodLsoa, [lsoa_row(vintage_id, x) for x in registry.lsoas]),
    ]
    if layer is not None:
        pairs = sorted(layer.bridge.items())
        bridge = [{"vintage_id": vintage_id, "lsoa11_code": a, "lsoa21_code": b} for a, b in pairs]
        tables += [(Lsoa21Score, [lsoa21_row(vintage_id, x) for x in layer.lsoas]), (LsoaBridge, bridge)]
    return tables
