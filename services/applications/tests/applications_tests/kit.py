"""Helpers shared by the applications tests: tokens, row counts, valid request bodies."""

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from applications.adapters.orm import metadata
from grants_shared import tables
from grants_shared.auth import Role, mint_token
from grants_shared.settings import PlatformSettings

JOINED = date(2024, 1, 15).isoformat()


def auth(*roles: Role, org: str | None = None, subject: str = "user-1") -> dict[str, str]:
    """Authorization header of a token with `roles` (and an organisation for applicants)."""
    token = mint_token(PlatformSettings(), subject=subject, roles=list(roles), organisation_id=org)
    return {"Authorization": f"Bearer {token}"}


OPERATOR = auth(Role.OPERATOR, subject="operator-1")
ASSESSOR = auth(Role.ASSESSOR, subject="assessor-1")


def counts(sessions: sessionmaker[Session]) -> dict[str, int]:
    """Rows in every table of the service, delivery tables included (to prove nothing was written)."""
    with sessions() as session:
        every = [*metadata.sorted_tables, *tables.metadata.sorted_tables]
        return {t.name: int(session.scalar(select(func.count()).select_from(t)) or 0) for t in every}


def members(total: int = 8, residents: int = 4) -> list[dict[str, Any]]:
    """Member bodies: `residents` residents first, then non-residents."""
    return [{"name": f"Member {i + 1}", "resident": i < residents, "joined_on": JOINED} for i in range(total)]


def organisation_body(n: int = 1, due_diligence: str = "passed") -> dict[str, Any]:
    """A valid POST /organisations body."""
    return {
        "name": f"Community Trust {n}",
        "org_id": f"GB-CHC-{1000000 + n}",
        "fund_holding": True,
        "due_diligence": due_diligence,
    }


def application_body(partnership_id: str, **changes: Any) -> dict[str, Any]:
    """A valid POST /applications body (eligible amounts and duration)."""
    body = {
        "partnership_id": partnership_id,
        "requested_pence": 150_000_000,
        "duration_months": 120,
        "themes": ["places_to_meet", "youth"],
        "summary": "A hall and a youth club run by residents.",
    }
    return {**body, **changes}


def outbox_events(sessions: sessionmaker[Session]) -> list[tuple[str, dict[str, Any]]]:
    """(stream, envelope) of every outbox row, in order."""
    import json

    with sessions() as session:
        rows = session.execute(select(tables.outbox).order_by(tables.outbox.c.id)).all()
    return [(r.stream, json.loads(r.body)) for r in rows]
