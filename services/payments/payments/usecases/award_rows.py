"""The rows of a new award, built in memory and written with Core statements built once (the award is the hot path).

A burst of awards is the heaviest work payments does: per award a grant, its schedule, a ledger transaction, 21
events and two audit rows. ORM objects, their flushes and a read per fact cost several times the rows themselves,
so the award reads what it needs in one statement and writes each table with one statement.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import JSON, Dialect, Table, bindparam, exists, insert, select
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from grants_shared.events import GrantAwarded
from grants_shared.ids import PLATFORM_NAMESPACE
from payments.adapters.orm import Grant, LedgerTransactionRow, Partnership, Tranche
from payments.adapters.orm_variations import Round
from payments.domain.schedule import TrancheDue
from payments.domain.statuses import GRANT_ACTIVE
from payments.usecases.instructions import payee_for
from payments.usecases.releases import conditions_for

GRANTS = cast(Table, Grant.__table__)
TRANCHES = cast(Table, Tranche.__table__)
_LEDGER = cast(Table, LedgerTransactionRow.__table__).c
_PARTNERSHIPS = cast(Table, Partnership.__table__).c
_ROUNDS = cast(Table, Round.__table__).c
JSON_COLUMNS = ("conditions", "facts", "holds")


class EncodedJSON(TypeDecorator[str]):
    """A JSON column bound from text encoded already: a schedule's conditions are encoded once, not per row."""

    impl = JSON
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> None:
        """No processing: the value is JSON text (PostgreSQL still gets its `::JSON` cast from the column type)."""
        return None


INSERT_GRANT = insert(GRANTS)
INSERT_TRANCHES = insert(TRANCHES).values(
    {name: bindparam(f"{name}_json", type_=EncodedJSON()) for name in JSON_COLUMNS}
)
AWARD_STATE = select(
    exists().where(GRANTS.c.grant_id == bindparam("grant_id")),
    exists().where(_LEDGER.posting_key == bindparam("key")),
    select(_PARTNERSHIPS.compliant)
    .where(_PARTNERSHIPS.partnership_id == bindparam("partnership_id"))
    .scalar_subquery(),
    select(_ROUNDS.opened_at).where(_ROUNDS.round_id == bindparam("round_id")).scalar_subquery(),
)


_NAMESPACE = PLATFORM_NAMESPACE.bytes


def quick_stable_id(name: str) -> str:
    """`stable_id` of a name already joined with "/", without building `uuid.UUID` objects (20 per award).

    The same UUID version 5 (RFC 4122: SHA-1 of namespace and name, version and variant bits set), as text.
    """
    digest = bytearray(hashlib.sha1(_NAMESPACE + name.encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@dataclass(frozen=True)
class AwardState:
    """What an award needs to know first: the grant exists, its commitment is posted, the partnership's compliance,
    when its round opened."""

    grant_known: bool
    posted: bool
    compliant: bool | None  # None: the partnership is not known to payments (it was checked when awarded)
    round_opened_at: datetime | None = None  # None: the round is not announced to payments yet


@dataclass(frozen=True)
class GrantRef:
    """The grant as the holds of its new tranches need it (no ORM object: it is written as a row)."""

    grant_id: str
    partnership_id: str


def award_state(session: Session, award: GrantAwarded, posting_key: str) -> AwardState:
    """One read: is the grant known, is its award posted, is its partnership compliant, when did its round open."""
    known, posted, compliant, round_opened_at = session.execute(
        AWARD_STATE,
        {
            "grant_id": award.grant_id,
            "key": posting_key,
            "partnership_id": award.partnership_id,
            "round_id": award.round_id,
        },
    ).one()
    return AwardState(bool(known), bool(posted), None if compliant is None else bool(compliant), round_opened_at)


def grant_row(award: GrantAwarded, awarded_at: datetime, payee_sort_code: str, created_at: datetime) -> dict[str, Any]:
    """The grants row of a new award."""
    payee = payee_for(award.grant_id, award.partnership_id, payee_sort_code)
    return {
        "grant_id": award.grant_id,
        "application_id": award.application_id,
        "organisation_id": award.organisation_id,
        "partnership_id": award.partnership_id,
        "round_id": award.round_id,
        "run_id": award.run_id,
        "neighbourhood_code": award.neighbourhood_code,
        "region_code": award.region_code,
        "amount_pence": award.amount_pence,
        "duration_months": award.duration_months,
        "awarded_at": awarded_at,
        "status": GRANT_ACTIVE,
        "completed_at": None,
        "created_at": created_at,
        "payee_name": payee.name,
        "payee_sort_code": payee.sort_code,
        "payee_account_number": payee.account_number,
        "demonstration": award.demonstration,
    }


def tranche_rows(
    grant_id: str, schedule: list[TrancheDue], ids: list[str], at: datetime, grant_type: str = "main"
) -> list[dict[str, Any]]:
    """The rows of a new schedule as `INSERT_TRANCHES` takes them: scheduled, no facts or holds, JSON as text."""
    return [
        {
            "tranche_id": tranche_id,
            "grant_id": grant_id,
            "number": due.number,
            "of_tranches": len(schedule),
            "due_on": due.due_on,
            "amount_pence": due.amount_pence,
            "status": "scheduled",
            "conditions_json": _conditions_json(due.number, grant_type),
            "facts_json": "{}",
            "holds_json": "[]",
            "released_by": None,
            "released_at": None,
            "threshold_pence": None,
            "approved_by": None,
            "approved_at": None,
            "updated_at": at,
        }
        for due, tranche_id in zip(schedule, ids, strict=True)
    ]


@cache
def _conditions_json(number: int, grant_type: str) -> str:
    return json.dumps(conditions_for(number, grant_type))


@dataclass
class TrancheDraft:
    """A new tranche before its row is written, with what the hold rules read and change (an ORM object costs
    more to build than its insert)."""

    tranche_id: str
    number: int
    due_on: date
    amount_pence: int
    status: str
    conditions: list[str]
    facts: dict[str, bool]
    holds: list[dict[str, str]]
    updated_at: datetime
    released_by: str | None = None
    approved_by: str | None = None
    policy_version: str | None = None
    pending_change: dict[str, Any] | None = None


def draft(row: dict[str, Any]) -> Tranche:
    """A new tranche for the hold rules to work on before its row is written (never added to the session).

    The rules touch only the fields of `TrancheDraft`, hence the cast rather than a transient ORM object.
    """
    return cast(
        Tranche,
        TrancheDraft(
            tranche_id=row["tranche_id"],
            number=row["number"],
            due_on=row["due_on"],
            amount_pence=row["amount_pence"],
            status=row["status"],
            conditions=json.loads(row["conditions_json"]),
            facts={},
            holds=[],
            updated_at=row["updated_at"],
        ),
    )


def row_of(tranche: Tranche, row: dict[str, Any]) -> dict[str, Any]:
    """The row again, with what the hold rules changed on its draft."""
    return {**row, "status": tranche.status, "holds_json": json.dumps(tranche.holds), "updated_at": tranche.updated_at}
