"""Tables of reconciliation: the provider's settlement lines as read, and the differences found against the ledger."""

from datetime import datetime

from sqlalchemy import BigInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from payments.adapters.orm import ID, TS, Base


class SettlementLine(Base):
    """One line of the provider's settlement report, and the ledger transaction it matched (one to one)."""

    __tablename__ = "settlement_lines"

    line_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    provider: Mapped[str] = mapped_column(String(50))
    provider_payment_id: Mapped[str] = mapped_column(String(100), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(255), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    amount_pence: Mapped[int] = mapped_column(BigInteger)
    reference: Mapped[str] = mapped_column(String(18))
    occurred_at: Mapped[datetime] = mapped_column(TS, index=True)
    received_at: Mapped[datetime] = mapped_column(TS)
    transaction_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    matched_at: Mapped[datetime | None] = mapped_column(TS)


class ReconciliationDifference(Base):
    """A disagreement between the bank's report and the ledger, raised once; resolved by a later match or by hand."""

    __tablename__ = "reconciliation_differences"

    difference_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(200))
    provider_payment_id: Mapped[str | None] = mapped_column(String(100))
    instruction_id: Mapped[str | None] = mapped_column(String(255))
    grant_id: Mapped[str | None] = mapped_column(ID, index=True)
    tranche_id: Mapped[str | None] = mapped_column(ID)
    bank_amount_pence: Mapped[int | None] = mapped_column(BigInteger)
    ledger_amount_pence: Mapped[int | None] = mapped_column(BigInteger)
    detail: Mapped[str] = mapped_column(Text)
    found_at: Mapped[datetime] = mapped_column(TS, index=True)
    resolved_at: Mapped[datetime | None] = mapped_column(TS)
    resolved_by: Mapped[str | None] = mapped_column(String(200))
    resolution_note: Mapped[str | None] = mapped_column(Text)
