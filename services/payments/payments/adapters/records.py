"""Rows as the outside sees them (an answer, an audit entry), lookups the use cases and the read side share, and the
names of the provider cursors."""

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from grants_shared.clock import as_utc
from payments.adapters.orm import Partnership
from payments.adapters.orm_reconciliation import ReconciliationDifference
from payments.adapters.orm_variations import Variation

RECONCILIATION_CURSOR = "reconciliation"  # how far reconciliation has read the bank's settlement report
SETTLEMENTS_CURSOR = "settlements"  # how far the returns loop has read it

VARIATION_FIELDS = (
    "variation_id",
    "grant_id",
    "kind",
    "status",
    "reason",
    "requested_by",
    "new_total_pence",
    "pattern",
    "first_tranche_bps",
    "previous_total_pence",
    "decided_by",
    "outcome",
)
DIFFERENCE_FIELDS = (
    "difference_id",
    "kind",
    "subject",
    "provider_payment_id",
    "instruction_id",
    "grant_id",
    "tranche_id",
    "bank_amount_pence",
    "ledger_amount_pence",
    "detail",
    "found_at",
    "resolved_at",
    "resolved_by",
    "resolution_note",
)


def variation_record(v: Variation) -> dict[str, Any]:
    """The public record of a variation."""
    return {
        **{n: getattr(v, n) for n in VARIATION_FIELDS},
        "requested_at": as_utc(v.requested_at),
        "decided_at": v.decided_at and as_utc(v.decided_at),
    }


def difference_record(d: ReconciliationDifference) -> dict[str, Any]:
    """The public record of a reconciliation difference."""
    return {n: as_utc(v) if isinstance(v := getattr(d, n), datetime) else v for n in DIFFERENCE_FIELDS}


def partnership_compliant(session: Session, partnership_id: str) -> bool:
    """The newest known compliance; unknown counts as compliant (it was checked when the award was made)."""
    known = session.get(Partnership, partnership_id)
    return True if known is None else known.compliant
