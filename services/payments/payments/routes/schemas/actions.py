"""HTTP models of the grant actions (conditions, variations, closure, repayment) and of reconciliation."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from grants_shared.http.text import line_rule, text_rule

MAX_PENCE = 10**13  # £100bn: far above any grant, within every database's integer range
Note = Annotated[str, text_rule(500)]
Reason = Annotated[str, text_rule(500)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class AgreementIn(_In):
    """The grant agreement as signed: when, and the signed copy's reference."""

    signed_on: date
    reference: Annotated[str, line_rule(100)] | None = None


class EndorsementIn(_In):
    """An assessor's note with the endorsement of the partnership's plan."""

    note: Note | None = None


class VariationIn(_In):
    """Re-profile the remaining tranches: a new grant total, a new pattern, or both; and why."""

    new_total_pence: int | None = Field(None, strict=True, gt=0, le=MAX_PENCE, description="The grant's new total.")
    pattern: Literal["semi_annual", "annual", "front_loaded"] | None = None
    first_tranche_bps: int | None = Field(
        None, strict=True, ge=1, le=9999, description="front_loaded only: the next tranche's share (2000 = 20%)."
    )
    reason: Reason


class ClosureIn(_In):
    """Why the grant closes early."""

    reason: Reason


class PayeeIn(_In):
    """Corrected bank details for the grant (after a payment came back)."""

    name: Annotated[str, line_rule(140)]
    sort_code: str = Field(pattern=r"^[0-9]{6}$")
    account_number: str = Field(pattern=r"^[0-9]{8}$")


class RepayIn(_In):
    """Pay a returned tranche again, optionally to corrected bank details."""

    payee: PayeeIn | None = None
    note: Note | None = None


class ResolutionIn(BaseModel):
    """Why a finance approver resolves a reconciliation difference by hand (kept with it, and announced)."""

    model_config = ConfigDict(extra="forbid")

    note: Annotated[str, line_rule(1000)] = Field(
        description="Why it is resolved: one line of 1 to 1000 characters, not only spaces, no control characters."
    )


class VariationOut(BaseModel):
    """A variation: what was asked, by whom, who decided and what it did."""

    variation_id: str
    grant_id: str
    kind: Literal["reprofile", "closure"]
    status: Literal["pending_approval", "applied", "rejected"]
    reason: str
    requested_by: str
    requested_at: datetime
    new_total_pence: int | None
    pattern: str | None
    first_tranche_bps: int | None
    previous_total_pence: int | None
    decided_by: str | None
    decided_at: datetime | None
    outcome: dict[str, Any] | None


class VariationList(BaseModel):
    """A grant's variations, oldest first."""

    items: list[VariationOut]


class DifferenceOut(BaseModel):
    """A disagreement between the provider's settlement report and the ledger."""

    difference_id: str
    kind: str
    subject: str
    provider_payment_id: str | None
    instruction_id: str | None
    grant_id: str | None
    tranche_id: str | None
    bank_amount_pence: int | None
    ledger_amount_pence: int | None
    detail: str
    found_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None = Field(description='"reconciliation" when a later match resolved it; else the approver.')
    resolution_note: str | None = Field(description="The approver's reason, when resolved by hand.")


class ReconciliationOut(BaseModel):
    """How the provider's settlement report matches the ledger, and the differences found (a page of them)."""

    report_read_until: datetime | None = Field(description="The bank's time up to which its report has been read.")
    lines: int
    matched_lines: int
    unmatched_lines: int
    postings: int = Field(description="Settlements and returns posted in the ledger.")
    unmatched_postings: int
    open_differences: int
    differences: list[DifferenceOut]
    total: int
    limit: int
    offset: int
