"""Consumer of NeighbourhoodRegistryUpdated: record the vintage the applications service put in force.

The newest announcement (by its loaded_at, then inputs hash) is the vintage in force, whatever order the
events arrive in; a repeated or older announcement of a vintage changes nothing.
"""

from sqlalchemy import select

from allocation.adapters.registry_tables import RegistryVintage
from allocation.domain.lifecycle import PENDING, SUPERSEDED, move_vintage
from grants_shared.clock import as_utc
from grants_shared.events import Envelope, NeighbourhoodRegistryUpdated
from grants_shared.uow import UnitOfWork


def on_registry_updated(envelope: Envelope[NeighbourhoodRegistryUpdated], uow: UnitOfWork) -> None:
    """Record the announced vintage; when it is the newest, it is the one to fetch and the others are superseded."""
    p, session = envelope.payload, uow.session
    row = session.get(RegistryVintage, p.inputs_hash)
    if row is not None and as_utc(row.loaded_at) >= as_utc(p.loaded_at):
        return
    others = select(RegistryVintage).where(RegistryVintage.inputs_hash != p.inputs_hash)
    newest = session.scalars(
        others.order_by(RegistryVintage.loaded_at.desc(), RegistryVintage.inputs_hash.desc()).limit(1)
    ).first()
    in_force = newest is None or (as_utc(p.loaded_at), p.inputs_hash) > (as_utc(newest.loaded_at), newest.inputs_hash)
    before = None if row is None else {"status": row.status, "loaded_at": row.loaded_at}
    if row is None:
        row = RegistryVintage(
            inputs_hash=p.inputs_hash,
            name=p.vintage,
            ward_count=p.ward_count,
            left_behind_count=p.left_behind_count,
            synthetic=p.synthetic,
            wards_held=0,
            attempts=0,
            status=PENDING if in_force else SUPERSEDED,
        )
        session.add(row)
    elif in_force and row.status == SUPERSEDED:
        move_vintage(row, PENDING)  # reinstated: the applications service serves it again
    row.loaded_at, row.event_id = p.loaded_at, envelope.event_id
    if in_force:
        pending = others.where(RegistryVintage.status == PENDING)
        for older in session.scalars(pending):  # one vintage is in force: any other still pending never will be
            move_vintage(older, SUPERSEDED)
    session.flush()
    uow.audit(
        actor=f"event:{envelope.producer}:{envelope.event_type}",
        action="registry.announced",
        entity_type="registry_vintage",
        entity_id=p.inputs_hash,
        before=before,
        after={"vintage": p.vintage, "status": row.status, "in_force": in_force, "loaded_at": p.loaded_at},
    )
