"""Reading projected grants and their tranches, scoped to what the caller may see."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from grants_shared.auth import Principal
from grants_shared.money import paid_words
from reporting.adapters.orm import Grant, Tranche
from reporting.read.access import GrantNotFound, can_see, unseen
from reporting.read.schedule import schedule_length


@dataclass(frozen=True)
class TrancheRow:
    """A tranche as reporting last heard of it, with the highest tranche number of its schedule as it stands."""

    tranche_id: str
    number: int
    due_on: date
    amount_pence: int
    of_tranches: int
    status: str


@dataclass(frozen=True)
class GrantDetail:
    """A projected grant and its tranches in order."""

    grant: Grant
    tranches: list[TrancheRow]


def visible_grant(session: Session, grant_id: str, principal: Principal) -> Grant:
    """The projected grant, or 404 when it is unknown or belongs to another organisation."""
    grant = session.get(Grant, grant_id)
    if grant is None or not can_see(principal, grant.organisation_id):
        raise GrantNotFound(unseen("grant", grant_id))
    return grant


def grant_detail(session: Session, grant: Grant) -> GrantDetail:
    """The grant with its tranches in order."""
    rows = session.execute(
        select(Tranche, schedule_length())
        .where(Tranche.grant_id == grant.grant_id)
        .order_by(Tranche.number, Tranche.status_rank)
    ).all()
    tranches = [TrancheRow(t.tranche_id, t.number, t.due_on, t.amount_pence, int(of), t.status) for t, of in rows]
    return GrantDetail(grant, tranches)


def grant_fields(grant: Grant, names: Iterable[str]) -> dict[str, Any]:
    """The grant's fields by name, its money in the shared money words (its `paid_pence` column is gross)."""
    money = paid_words(grant.paid_pence, grant.returned_pence)
    return {name: money[name] if name in money else getattr(grant, name) for name in names}
