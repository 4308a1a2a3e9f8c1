"""ORM models: payments, queued failure-injection behaviours and the bank's clock offset."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Float, Index, Integer, String, Text, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from grants_shared.clock import as_utc

PENDING = "pending"
SETTLED = "settled"
FAILED = "failed"
RETURNED = "returned"


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime stored as naive UTC (SQLite keeps no zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert to naive UTC on the way in."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Mark values read back as UTC."""
        if value is None:
            return None
        return as_utc(value)


class Base(DeclarativeBase):
    """Declarative base of the sandbox bank's tables."""


class Payment(Base):
    """A payment instruction received by the bank, unique per idempotency key."""

    __tablename__ = "payments"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True, nullable=False)
    request_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    amount_pence: Mapped[int] = mapped_column(BigInteger, nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    payee_name: Mapped[str] = mapped_column(String(140), nullable=False)
    payee_sort_code: Mapped[str] = mapped_column(String(6), nullable=False)
    payee_account_number: Mapped[str] = mapped_column(String(8), nullable=False)
    reference: Mapped[str] = mapped_column(String(18), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    behaviour: Mapped[str | None] = mapped_column(String(16))
    failure_reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    settle_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    return_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    return_reason: Mapped[str | None] = mapped_column(String(200))
    first_response_status: Mapped[int] = mapped_column(Integer, nullable=False)
    first_response_body: Mapped[str] = mapped_column(Text, nullable=False)

    __table_args__ = (
        Index("ix_payments_status_settle_due", "status", "settle_due_at"),
        Index("ix_payments_status_return_due", "status", "return_due_at"),
        Index("ix_payments_settled_at", "settled_at"),
        Index("ix_payments_returned_at", "returned_at"),
    )


class QueuedBehaviour(Base):
    """A failure-injection behaviour applied to the next matching new payments."""

    __tablename__ = "queued_behaviours"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    behaviour: Mapped[str] = mapped_column(String(16), nullable=False)
    remaining: Mapped[int] = mapped_column(Integer, nullable=False)
    match_reference: Mapped[str | None] = mapped_column(String(18))
    amount_delta_pence: Mapped[int | None] = mapped_column(BigInteger)  # alter_amount only
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class BankClock(Base):
    """How far the bank's clock runs ahead of the wall clock (one row; absent means no offset).

    Simulations of a long grant move the bank's time forward with the platform's; it never moves back.
    """

    __tablename__ = "bank_clock"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    offset_seconds: Mapped[float] = mapped_column(Float, nullable=False)
