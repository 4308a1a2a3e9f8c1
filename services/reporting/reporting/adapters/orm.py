"""The reporting tables: the event timeline, projections of the other services, and impact reports."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Base of every reporting table."""


metadata = Base.metadata
Stamp = DateTime(timezone=True)


class TimelineEntry(Base):
    """One event of another service (or of reporting itself), recorded once by its event id."""

    __tablename__ = "timeline"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    stream: Mapped[str] = mapped_column(String(200))
    event_type: Mapped[str] = mapped_column(String(100))
    producer: Mapped[str] = mapped_column(String(50))
    subject: Mapped[str] = mapped_column(String(100))
    grant_id: Mapped[str | None] = mapped_column(String(100), index=True)
    application_id: Mapped[str | None] = mapped_column(String(100), index=True)
    partnership_id: Mapped[str | None] = mapped_column(String(100), index=True)
    occurred_at: Mapped[datetime] = mapped_column(Stamp)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


class Round(Base):
    """A funding round and its budget (from RoundOpened / RoundClosed)."""

    __tablename__ = "rounds"

    round_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    budget_pence: Mapped[int] = mapped_column(BigInteger)
    opened_at: Mapped[datetime] = mapped_column(Stamp)
    closed_at: Mapped[datetime | None] = mapped_column(Stamp)
    demonstration: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Grant(Base):
    """An awarded grant with what was paid and returned on it (from allocation and payments events)."""

    __tablename__ = "grants"

    grant_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    application_id: Mapped[str] = mapped_column(String(100), index=True)
    round_id: Mapped[str] = mapped_column(String(100))
    organisation_id: Mapped[str] = mapped_column(String(100), index=True)
    partnership_id: Mapped[str] = mapped_column(String(100))
    neighbourhood_code: Mapped[str] = mapped_column(String(50))
    region_code: Mapped[str] = mapped_column(String(50))
    imd_decile: Mapped[int | None] = mapped_column(Integer)
    amount_pence: Mapped[int] = mapped_column(BigInteger)
    # The moment `amount_pence` is true of (award, variation or closure): an older variation never overwrites it.
    amount_at: Mapped[datetime | None] = mapped_column(Stamp)
    duration_months: Mapped[int] = mapped_column(Integer)
    grant_type: Mapped[str] = mapped_column(String(20), default="main", server_default="main")
    paid_pence: Mapped[int] = mapped_column(BigInteger, default=0)
    returned_pence: Mapped[int] = mapped_column(BigInteger, default=0)
    released_pence: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    status: Mapped[str] = mapped_column(String(30))
    awarded_at: Mapped[datetime] = mapped_column(Stamp)
    completed_at: Mapped[datetime | None] = mapped_column(Stamp)
    demonstration: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Tranche(Base):
    """A scheduled tranche and its latest known status."""

    __tablename__ = "tranches"
    # The fund position's tranche counts read only this index (due date, then what they filter and sum).
    __table_args__ = (Index("ix_tranches_due_cover", "due_on", "status", "grant_id", "amount_pence"),)

    tranche_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    grant_id: Mapped[str] = mapped_column(String(100), index=True)
    number: Mapped[int] = mapped_column(Integer)
    of_tranches: Mapped[int] = mapped_column(Integer)  # as scheduled; reads count the schedule as it stands now
    due_on: Mapped[date] = mapped_column(Date, index=True)
    amount_pence: Mapped[int] = mapped_column(BigInteger)
    # The variation behind `due_on` and `amount_pence`, if any: only a later variation changes them again.
    varied_at: Mapped[datetime | None] = mapped_column(Stamp)
    status: Mapped[str] = mapped_column(String(30))
    status_rank: Mapped[int] = mapped_column(Integer)
    status_at: Mapped[datetime] = mapped_column(Stamp)


class Payment(Base):
    """A payment instruction for a tranche: settled and returned at most once each (keyed by instruction)."""

    __tablename__ = "payments"

    instruction_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    grant_id: Mapped[str] = mapped_column(String(100), index=True)
    tranche_id: Mapped[str] = mapped_column(String(100))
    amount_pence: Mapped[int] = mapped_column(BigInteger)
    settled_at: Mapped[datetime | None] = mapped_column(Stamp)
    returned_at: Mapped[datetime | None] = mapped_column(Stamp)
    failed_at: Mapped[datetime | None] = mapped_column(Stamp)


class ReconciliationDifference(Base):
    """A difference between the bank's settlement report and payments' ledger, open until it is resolved."""

    __tablename__ = "reconciliation_differences"

    difference_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    kind: Mapped[str] = mapped_column(String(50))
    provider_payment_id: Mapped[str | None] = mapped_column(String(100))
    instruction_id: Mapped[str | None] = mapped_column(String(255))
    grant_id: Mapped[str | None] = mapped_column(String(100), index=True)
    tranche_id: Mapped[str | None] = mapped_column(String(100))
    bank_amount_pence: Mapped[int | None] = mapped_column(BigInteger)
    ledger_amount_pence: Mapped[int | None] = mapped_column(BigInteger)
    detail: Mapped[str] = mapped_column(Text)
    found_at: Mapped[datetime] = mapped_column(Stamp, index=True)
    resolved_at: Mapped[datetime | None] = mapped_column(Stamp)
    resolved_by: Mapped[str | None] = mapped_column(String(200))  # "reconciliation" for a later match
    resolution_note: Mapped[str | None] = mapped_column(Text)


class Application(Base):
    """An application's latest known status (from applications and allocation events)."""

    __tablename__ = "applications"

    application_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    organisation_id: Mapped[str | None] = mapped_column(String(100))
    neighbourhood_code: Mapped[str | None] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(30), index=True)
    status_rank: Mapped[int] = mapped_column(Integer)
    status_at: Mapped[datetime] = mapped_column(Stamp)


class ImpactReport(Base):
    """An impact report for one period of a grant; `live_key` keeps one live report per grant and period."""

    __tablename__ = "impact_reports"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    grant_id: Mapped[str] = mapped_column(String(100), index=True)
    organisation_id: Mapped[str] = mapped_column(String(100), index=True)
    period_number: Mapped[int] = mapped_column(Integer)
    outcomes: Mapped[dict[str, int]] = mapped_column(JSON)
    narrative: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(30))
    live_key: Mapped[str | None] = mapped_column(String(150), unique=True)
    submitted_by: Mapped[str] = mapped_column(String(200))
    submitted_at: Mapped[datetime] = mapped_column(Stamp)
    reviewed_by: Mapped[str | None] = mapped_column(String(200))
    reviewed_at: Mapped[datetime | None] = mapped_column(Stamp)
    change_reasons: Mapped[list[str] | None] = mapped_column(JSON)


class ReportIndicator(Base):
    """One outcome indicator's value in one impact report (for sums by neighbourhood and region)."""

    __tablename__ = "report_indicators"

    report_id: Mapped[str] = mapped_column(ForeignKey("impact_reports.id"), primary_key=True)
    indicator: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)
