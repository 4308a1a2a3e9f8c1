"""HTTP request and response models (inputs are separate from outputs)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

BehaviourName = Literal["fail", "timeout", "return", "delay", "alter_amount"]
PaymentStatus = Literal["pending", "settled", "failed", "returned"]
MAX_AMOUNT_PENCE = 10**13  # £100bn: far above any grant, far below SQLite's integer limit
PRINTABLE = r"^[ -~]+$"


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PayeeAccountIn(_In):
    """The account to pay: name, 6-digit sort code and 8-digit account number."""

    name: str = Field(min_length=1, max_length=140, pattern=r"^[^\x00-\x1f\x7f]+$")
    sort_code: str = Field(pattern=r"^[0-9]{6}$")
    account_number: str = Field(pattern=r"^[0-9]{8}$")


class PaymentIn(_In):
    """A payment instruction: whole pence, GBP only, a bank reference of at most 18 characters."""

    amount_pence: int = Field(strict=True, gt=0, le=MAX_AMOUNT_PENCE)
    currency: Literal["GBP"]
    payee_account: PayeeAccountIn
    reference: str = Field(min_length=1, max_length=18, pattern=PRINTABLE)


class PayeeAccountOut(BaseModel):
    """The payee as the bank recorded it."""

    name: str
    sort_code: str
    account_number: str


class PaymentOut(BaseModel):
    """A payment as the bank sees it now."""

    payment_id: str
    idempotency_key: str
    status: PaymentStatus
    amount_pence: int
    currency: str
    payee_account: PayeeAccountOut
    reference: str
    created_at: datetime
    settled_at: datetime | None = None
    returned_at: datetime | None = None
    failure_reason: str | None = None
    return_reason: str | None = None


class BehaviourIn(_In):
    """Queue a behaviour for the next ``count`` new payments (optionally only those with a reference).

    ``alter_amount`` needs ``amount_delta_pence`` (non-zero, any sign): the bank records and settles the amount asked
    plus the delta (never below 1p) and answers with it, as a bank that took another amount would.
    """

    behaviour: BehaviourName
    count: int = Field(default=1, strict=True, ge=1, le=1000)
    match_reference: str | None = Field(default=None, min_length=1, max_length=18, pattern=PRINTABLE)
    amount_delta_pence: int | None = Field(default=None, strict=True, ge=-MAX_AMOUNT_PENCE, le=MAX_AMOUNT_PENCE)

    @model_validator(mode="after")
    def _delta_only_to_alter(self) -> BehaviourIn:
        if self.behaviour == "alter_amount" and not self.amount_delta_pence:
            raise ValueError("alter_amount needs a non-zero amount_delta_pence")
        if self.behaviour != "alter_amount" and self.amount_delta_pence is not None:
            raise ValueError("amount_delta_pence applies to alter_amount only")
        return self


class BehaviourOut(BaseModel):
    """A queued behaviour and how many payments it still applies to."""

    id: int
    behaviour: BehaviourName
    remaining: int
    match_reference: str | None
    amount_delta_pence: int | None = None
    created_at: datetime


class BehaviourList(BaseModel):
    """The queued behaviours, oldest (applied first) first."""

    items: list[BehaviourOut]


class ClearedOut(BaseModel):
    """How many queued behaviours were removed."""

    cleared: int


class ResetOut(BaseModel):
    """How many payments a reset forgot."""

    payments: int


class ClockIn(_In):
    """Move the bank's clock forward to this moment (timezone-aware; it never moves back)."""

    now: datetime


class ClockOut(BaseModel):
    """The bank's current time (the wall clock plus any offset it was moved by)."""

    now: datetime


class SettleNowOut(BaseModel):
    """How many pending payments were settled by ``/control/settle-now``."""

    settled: int


class SettlementEntry(BaseModel):
    """One line of the settlement report: money left (settled) or came back (returned)."""

    payment_id: str
    idempotency_key: str
    reference: str
    amount_pence: int
    currency: str
    kind: Literal["settled", "returned"]
    occurred_at: datetime
    reason: str | None = None
    payment_status: PaymentStatus


class SettlementReport(BaseModel):
    """Settlement lines with ``since <= occurred_at < until``, oldest first; pass ``until`` as the next since."""

    since: datetime
    until: datetime
    entries: list[SettlementEntry]


class Health(BaseModel):
    """Liveness or readiness status, and which service answers (so a runner can tell it from another on the port)."""

    status: str
    service: str = "sandbox-bank"
