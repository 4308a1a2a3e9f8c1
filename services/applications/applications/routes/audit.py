"""Route of the audit log (operators)."""

from fastapi import APIRouter
from sqlalchemy import func, select

from applications.routes.common import PROBLEMS, Limit, Offset, Operator, QueryText
from applications.routes.schemas.outputs import Page
from applications.routes.schemas.registry_outputs import AuditOut
from grants_shared import tables
from grants_shared.clock import as_utc
from grants_shared.http.app import ReadSession
from grants_shared.http.query import StrictQuery

router = APIRouter(tags=["audit"], responses=PROBLEMS, dependencies=StrictQuery)


@router.get("/audit", summary="Audit records, oldest first")
def list_audit(
    _: Operator,
    session: ReadSession,
    entity_type: QueryText = None,
    entity_id: QueryText = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[AuditOut]:
    """Who changed what and when, with before and after, filtered by entity."""
    t = tables.audit_log
    query = select(t)
    if entity_type is not None:
        query = query.where(t.c.entity_type == entity_type)
    if entity_id is not None:
        query = query.where(t.c.entity_id == entity_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(t.c.id).limit(limit).offset(offset)).all()
    items = [AuditOut(**{**r._mapping, "occurred_at": as_utc(r.occurred_at)}) for r in rows]
    return Page[AuditOut](items=items, total=total, limit=limit, offset=offset)
