"""Route of the audit log (operators)."""

from fastapi import APIRouter

from applications.read.lists import audit_page
from applications.routes.common import PROBLEMS, Limit, Offset, Operator, QueryText
from applications.routes.schemas.outputs import Page
from applications.routes.schemas.registry_outputs import AuditOut
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
    rows, total = audit_page(session, entity_type, entity_id, limit, offset)
    items = [AuditOut(**{**r._mapping, "occurred_at": as_utc(r.occurred_at)}) for r in rows]
    return Page[AuditOut](items=items, total=total, limit=limit, offset=offset)
