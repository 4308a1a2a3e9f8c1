"""Events published by the payments service."""

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from grants_shared.events.envelope import Event
from grants_shared.money import Pence, PositivePence


class _PaymentsEvent(Event):
    producer = "payments"


class TrancheScheduled(_PaymentsEvent):
    """A tranche of a grant was scheduled (all tranches of a grant sum exactly to its award)."""

    event_type = "tranche-scheduled"
    grant_id: str
    tranche_id: str
    number: int
    of_tranches: int
    due_on: date
    amount_pence: PositivePence


class TrancheReleased(_PaymentsEvent):
    """A tranche's release conditions were met (and approved where needed): it will be paid."""

    event_type = "tranche-released"
    grant_id: str
    tranche_id: str
    number: int
    amount_pence: PositivePence
    released_by: str
    approved_by: str | None = None
    released_at: datetime


class TrancheHeld(_PaymentsEvent):
    """A tranche is held: its release conditions are not met, with the reasons."""

    event_type = "tranche-held"
    grant_id: str
    tranche_id: str
    number: int
    reasons: list[str]
    held_at: datetime


class PaymentInstructed(_PaymentsEvent):
    """The payment provider accepted an instruction for a tranche."""

    event_type = "payment-instructed"
    grant_id: str
    tranche_id: str
    instruction_id: str
    provider: str
    provider_payment_id: str
    amount_pence: PositivePence
    instructed_at: datetime


class PaymentSettled(_PaymentsEvent):
    """The provider settled a payment: the money has left the fund."""

    event_type = "payment-settled"
    grant_id: str
    tranche_id: str
    instruction_id: str
    amount_pence: PositivePence
    settled_at: datetime


class PaymentFailed(_PaymentsEvent):
    """The provider refused or failed a payment; nothing left the fund."""

    event_type = "payment-failed"
    grant_id: str
    tranche_id: str
    instruction_id: str
    amount_pence: PositivePence
    reason: str
    failed_at: datetime


class PaymentReturned(_PaymentsEvent):
    """A settled payment came back (for example a closed account)."""

    event_type = "payment-returned"
    grant_id: str
    tranche_id: str
    instruction_id: str
    amount_pence: PositivePence
    reason: str
    returned_at: datetime


class GrantCompleted(_PaymentsEvent):
    """Every tranche of a grant is paid (or the grant was closed early)."""

    event_type = "grant-completed"
    grant_id: str
    awarded_pence: Pence
    paid_pence: Pence
    completed_at: datetime


class TrancheResumed(_PaymentsEvent):
    """A held tranche is held no longer (its conditions met, its partnership compliant or finance lifted its hold)."""

    event_type = "tranche-resumed"
    grant_id: str
    tranche_id: str
    number: int
    lifted_reasons: list[str]
    resumed_by: str
    resumed_at: datetime


class ScheduledTranche(BaseModel):
    """One tranche of a grant's schedule as it stands after a variation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tranche_id: str
    number: int
    due_on: date
    amount_pence: PositivePence


class GrantVaried(_PaymentsEvent):
    """A grant's remaining tranches were re-profiled (an amount change was approved by a second person)."""

    event_type = "grant-varied"
    grant_id: str
    variation_id: str
    previous_total_pence: PositivePence
    new_total_pence: PositivePence
    pattern: str | None
    requested_by: str
    approved_by: str | None
    remaining_tranches: list[ScheduledTranche]
    cancelled_tranche_ids: list[str]
    varied_at: datetime


class GrantClosed(_PaymentsEvent):
    """A grant was closed early: its unpaid tranches cancelled, its unspent commitment released to the fund."""

    event_type = "grant-closed"
    grant_id: str
    variation_id: str
    awarded_pence: Pence
    paid_pence: Pence
    released_pence: Pence
    cancelled_tranche_ids: list[str]
    reason: str
    requested_by: str
    approved_by: str
    closed_at: datetime


class ReconciliationDifferenceFound(_PaymentsEvent):
    """The provider's settlement report and the ledger disagree (a line with no posting, or a posting with no line)."""

    event_type = "reconciliation-difference-found"
    difference_id: str
    kind: str
    provider_payment_id: str | None
    instruction_id: str | None
    grant_id: str | None
    tranche_id: str | None
    bank_amount_pence: Pence | None
    ledger_amount_pence: Pence | None
    detail: str
    found_at: datetime


class ReconciliationDifferenceResolved(_PaymentsEvent):
    """A difference raised earlier is settled: its line or posting was matched since, or it was resolved by hand."""

    event_type = "reconciliation-difference-resolved"
    difference_id: str
    kind: str
    grant_id: str | None
    resolved_at: datetime
    resolved_by: str | None = Field(
        None, description='"reconciliation" (or absent) when a later match resolved it; the approver when by hand.'
    )
    note: str | None = Field(None, description="Why it was resolved by hand (absent when a match resolved it).")
