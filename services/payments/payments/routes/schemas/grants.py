"""HTTP input and output models of the payments API; inputs never carry status, amounts or approvals."""

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from grants_shared.http.text import text_rule


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class HoldIn(_In):
    """Why finance holds a tranche."""

    reason: Annotated[str, text_rule(500)]


class NoteIn(_In):
    """An optional note with an approval, resume or retry."""

    note: Annotated[str, text_rule(500)] | None = None


class PayeeOut(BaseModel):
    """A bank account a grant is paid into."""

    name: str
    sort_code: str
    account_number: str


class PayeeChangeOut(BaseModel):
    """The account a payment would go to instead: the grant's present payee and the one asked for."""

    before: PayeeOut
    after: PayeeOut


class ApprovalOut(BaseModel):
    """What the release was decided by and what a second person approves: the amount, who asked, any new payee."""

    kind: Literal["release", "repayment"]
    second_person_needed: bool
    requested_by: str
    amount_pence: int
    threshold_pence: int | None = Field(description="Above this the release needed a second person (a repayment: 0).")
    policy_version: str | None = Field(description="The release policy in force when it was released.")
    payee_change: PayeeChangeOut | None


class WaitOut(BaseModel):
    """Why a tranche whose conditions are met is not released yet."""

    code: Literal["tranche-not-yet-due", "previous-tranche-not-released"]
    detail: str


class TrancheOut(BaseModel):
    """A tranche: when it is due, how much, where it is in its life and why it is held."""

    tranche_id: str
    grant_id: str
    number: int
    of_tranches: int
    due_on: date
    amount_pence: int
    status: str
    held_reasons: list[str]
    conditions: list[str]
    unmet_conditions: list[str]
    released_by: str | None
    approved_by: str | None
    approval: ApprovalOut | None
    waiting_for: list[WaitOut]


class GrantOut(BaseModel):
    """A grant with its schedule and what has been paid so far (settled, not returned)."""

    grant_id: str
    application_id: str
    organisation_id: str
    partnership_id: str
    round_id: str
    neighbourhood_code: str
    region_code: str
    amount_pence: int
    paid_pence: int
    status: str
    duration_months: int
    awarded_at: datetime
    completed_at: datetime | None
    demonstration: bool = Field(False, description="A demonstration grant: never in the fund's figures.")
    tranches: list[TrancheOut]


class GrantPage(BaseModel):
    """A page of grants."""

    items: list[GrantOut]
    total: int
    limit: int
    offset: int


class InstructionOut(BaseModel):
    """A payment instruction and what the provider made of it."""

    instruction_id: str
    grant_id: str
    tranche_id: str
    attempt: int
    amount_pence: int
    status: str
    provider: str
    provider_payment_id: str | None
    reference: str
    failure_reason: str | None
    return_reason: str | None
    created_at: datetime
    instructed_at: datetime | None
    settled_at: datetime | None
    failed_at: datetime | None
    returned_at: datetime | None


class InstructionPage(BaseModel):
    """A page of payment instructions."""

    items: list[InstructionOut]
    total: int
    limit: int
    offset: int


class BalanceOut(BaseModel):
    """An account's balance: debits minus credits, in pence."""

    account: str
    balance_pence: int


class DemonstrationFiguresOut(BaseModel):
    """The headline figures of demonstration grants: in the ledger, never in the fund's figures."""

    committed_pence: int
    in_flight_pence: int
    paid_pence: int
    paid_net_pence: int
    paid_gross_pence: int
    returned_pence: int


class BalancesOut(BaseModel):
    """A page of account balances as of a moment (or now), and the fund's headline figures over every account."""

    as_of: datetime | None
    balances: list[BalanceOut]
    total: int = Field(description="Accounts in all (the balances list is one page of them).")
    limit: int
    offset: int
    committed_pence: int = Field(description="Awarded, net of releases (fund:awarded).")
    in_flight_pence: int = Field(description="Instructed, not yet settled (payments:in_flight).")
    paid_pence: int = Field(description="Paid net of returns (cash:paid less cash:returned): paid_net_pence.")
    paid_net_pence: int = Field(description="Gone out of the fund and stayed out (cash:paid less cash:returned).")
    paid_gross_pence: int = Field(description="Gone out of the fund, returned or not (cash:paid).")
    returned_pence: int = Field(description="Come back into the fund (cash:returned).")
    demonstration: DemonstrationFiguresOut = Field(
        description="The same figures for demonstration grants alone, left out of the fund's figures above."
    )


class InvariantOut(BaseModel):
    """One ledger invariant: whether it holds, its headline figure and any breaches."""

    name: str
    ok: bool
    figure: str
    detail: str


class LedgerCheckOut(BaseModel):
    """Every ledger invariant; ok only when all hold."""

    ok: bool
    invariants: list[InvariantOut]
