"""The lists the API pages through: applications, wards of the vintage in force, vintages, the audit log."""

from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from applications.adapters.orm import Application, Neighbourhood, NeighbourhoodLsoa, RegistryVintage
from applications.domain.lifecycle import Status
from applications.read.paging import page
from grants_shared import tables


def applications_page(
    session: Session, organisation_id: str | None, status: Status | None, limit: int, offset: int
) -> tuple[list[Application], int]:
    """Applications newest first, of one organisation (None: of all), optionally in one status."""
    query = select(Application)
    if organisation_id is not None:
        query = query.where(Application.organisation_id == organisation_id)
    if status is not None:
        query = query.where(Application.status == status.value)
    return page(session, query.order_by(Application.created_at.desc(), Application.id), limit, offset)


def wards_page(
    session: Session,
    vintage_id: str,
    filters: tuple[str | None, bool | None, int | None],
    limit: int,
    offset: int,
) -> tuple[list[Neighbourhood], int]:
    """Wards of a vintage by code, filtered by (region, left-behind flag, IMD decile), each None for any."""
    region, left_behind, imd_decile = filters
    query = select(Neighbourhood).where(Neighbourhood.vintage_id == vintage_id)
    if region is not None:
        query = query.where(Neighbourhood.region_code == region)
    if left_behind is not None:
        query = query.where(Neighbourhood.left_behind.is_(left_behind))
    if imd_decile is not None:
        query = query.where(Neighbourhood.imd_decile == imd_decile)
    return page(session, query.order_by(Neighbourhood.code), limit, offset)


def ward_lsoas(session: Session, vintage_id: str, code: str) -> list[NeighbourhoodLsoa]:
    """The LSOAs of a ward in a vintage, by code."""
    query = select(NeighbourhoodLsoa).where(
        NeighbourhoodLsoa.vintage_id == vintage_id, NeighbourhoodLsoa.ward_code == code
    )
    return list(session.scalars(query.order_by(NeighbourhoodLsoa.code)))


def vintages_page(session: Session, limit: int, offset: int) -> tuple[list[RegistryVintage], int]:
    """Every vintage loaded, newest first."""
    query = select(RegistryVintage).order_by(RegistryVintage.loaded_at.desc(), RegistryVintage.id)
    return page(session, query, limit, offset)


def audit_page(
    session: Session, entity_type: str | None, entity_id: str | None, limit: int, offset: int
) -> tuple[list[Row[Any]], int]:
    """Audit records oldest first, filtered by entity."""
    t = tables.audit_log
    query = select(t)
    if entity_type is not None:
        query = query.where(t.c.entity_type == entity_type)
    if entity_id is not None:
        query = query.where(t.c.entity_id == entity_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return list(session.execute(query.order_by(t.c.id).limit(limit).offset(offset)).all()), int(total)
