"""The payments service's tables (SQLAlchemy 2 typed mappings); `metadata` is what Alembic migrates."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ID = String(100)
TS = DateTime(timezone=True)
LIVE_INSTRUCTION = "status IN ('awaiting_approval', 'created', 'instructed', 'settled')"
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of the payments tables (named constraints, so SQLite batch migrations work)."""

    metadata = MetaData(naming_convention=NAMING)


class Grant(Base):
    """An awarded grant as payments knows it: the award, its partnership and where to pay it."""

    __tablename__ = "grants"

    grant_id: Mapped[str] = mapped_column(ID, primary_key=True)
    application_id: Mapped[str] = mapped_column(ID)
    organisation_id: Mapped[str] = mapped_column(ID, index=True)
    partnership_id: Mapped[str] = mapped_column(ID, index=True)
    round_id: Mapped[str] = mapped_column(ID)
    run_id: Mapped[str] = mapped_column(ID)
    neighbourhood_code: Mapped[str] = mapped_column(String(50))
    region_code: Mapped[str] = mapped_column(String(50))
    amount_pence: Mapped[int] = mapped_column(BigInteger)
    duration_months: Mapped[int] = mapped_column(Integer)
    awarded_at: Mapped[datetime] = mapped_column(TS)
    status: Mapped[str] = mapped_column(String(20))
    completed_at: Mapped[datetime | None] = mapped_column(TS)
    payee_name: Mapped[str] = mapped_column(String(140))
    payee_sort_code: Mapped[str] = mapped_column(String(6))
    payee_account_number: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(TS)
    demonstration: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Tranche(Base):
    """One scheduled tranche: its release conditions and facts, holds, releaser and approver."""

    __tablename__ = "tranches"
    __table_args__ = (UniqueConstraint("grant_id", "number"), CheckConstraint("amount_pence > 0", name="positive"))

    tranche_id: Mapped[str] = mapped_column(ID, primary_key=True)
    grant_id: Mapped[str] = mapped_column(ForeignKey("grants.grant_id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    of_tranches: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date)
    amount_pence: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(20), index=True)
    conditions: Mapped[list[str]] = mapped_column(JSON)
    facts: Mapped[dict[str, bool]] = mapped_column(JSON)
    fact_recorders: Mapped[dict[str, str] | None] = mapped_column(JSON)  # who recorded each fact people record
    holds: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    released_by: Mapped[str | None] = mapped_column(String(200))
    released_at: Mapped[datetime | None] = mapped_column(TS)
    threshold_pence: Mapped[int | None] = mapped_column(BigInteger)
    policy_version: Mapped[str | None] = mapped_column(String(50))  # the release policy the release was decided by
    pending_change: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # what its approver approves besides paying
    approved_by: Mapped[str | None] = mapped_column(String(200))
    approved_at: Mapped[datetime | None] = mapped_column(TS)
    updated_at: Mapped[datetime] = mapped_column(TS)


class PaymentInstruction(Base):
    """An instruction to the provider; its id is stored before the call and is the provider's idempotency key."""

    __tablename__ = "payment_instructions"
    __table_args__ = (
        UniqueConstraint("tranche_id", "attempt"),
        CheckConstraint("amount_pence > 0", name="positive"),
        # The database itself refuses a second live instruction for a tranche.
        Index(
            "uq_payment_instructions_live_tranche",
            "tranche_id",
            unique=True,
            sqlite_where=text(LIVE_INSTRUCTION),
            postgresql_where=text(LIVE_INSTRUCTION),
        ),
        Index("ix_payment_instructions_status_created", "status", "created_at"),
    )

    instruction_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tranche_id: Mapped[str] = mapped_column(ForeignKey("tranches.tranche_id"))
    grant_id: Mapped[str] = mapped_column(ID, index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    amount_pence: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(20))
    provider: Mapped[str] = mapped_column(String(50))
    provider_payment_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    reference: Mapped[str] = mapped_column(String(18))
    failure_reason: Mapped[str | None] = mapped_column(Text)
    return_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(TS)
    instructed_at: Mapped[datetime | None] = mapped_column(TS)
    settled_at: Mapped[datetime | None] = mapped_column(TS)
    failed_at: Mapped[datetime | None] = mapped_column(TS)
    returned_at: Mapped[datetime | None] = mapped_column(TS)


class Partnership(Base):
    """The newest known compliance of a resident partnership (projection of PartnershipChanged)."""

    __tablename__ = "partnerships"

    partnership_id: Mapped[str] = mapped_column(ID, primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ID)
    compliant: Mapped[bool] = mapped_column(Boolean)
    reasons: Mapped[list[str]] = mapped_column(JSON)
    changed_at: Mapped[datetime] = mapped_column(TS)
    event_id: Mapped[str] = mapped_column(String(36))


class LedgerTransactionRow(Base):
    """A posted ledger transaction (append-only); `posting_key` makes each business event post once."""

    __tablename__ = "ledger_transactions"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    transaction_id: Mapped[str] = mapped_column(String(36), unique=True)
    posting_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    grant_id: Mapped[str] = mapped_column(ID, index=True)
    tranche_id: Mapped[str | None] = mapped_column(ID, index=True)
    instruction_id: Mapped[str | None] = mapped_column(String(36), index=True)
    reverses: Mapped[str | None] = mapped_column(String(36))
    effective_at: Mapped[datetime] = mapped_column(TS, index=True)
    posted_at: Mapped[datetime] = mapped_column(TS)


class LedgerPosting(Base):
    """One debit or credit line of a ledger transaction (append-only)."""

    __tablename__ = "ledger_postings"
    __table_args__ = (
        CheckConstraint(
            "(debit_pence > 0 AND credit_pence = 0) OR (debit_pence = 0 AND credit_pence > 0)", name="one_side"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    transaction_id: Mapped[str] = mapped_column(ForeignKey("ledger_transactions.transaction_id"), index=True)
    line: Mapped[int] = mapped_column(Integer)
    account: Mapped[str] = mapped_column(String(200), index=True)
    debit_pence: Mapped[int] = mapped_column(BigInteger)
    credit_pence: Mapped[int] = mapped_column(BigInteger)


class ProviderCursor(Base):
    """How far the provider's settlement report has been read (for returns after settlement)."""

    __tablename__ = "provider_cursors"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    position: Mapped[datetime | None] = mapped_column(TS)


metadata: MetaData = Base.metadata
