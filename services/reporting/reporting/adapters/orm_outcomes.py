"""Tables of outcomes and report schedules: grant outcome plans, report versions and reminders sent."""

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from reporting.adapters.orm import Base, Stamp


class PlannedIndicator(Base):
    """One indicator of a grant's outcome plan: its baseline (value and date) and its target (value and by-date)."""

    __tablename__ = "outcome_plan_indicators"

    grant_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    indicator: Mapped[str] = mapped_column(String(50), primary_key=True)
    baseline_value: Mapped[int] = mapped_column(BigInteger)
    baseline_on: Mapped[date] = mapped_column(Date)
    target_value: Mapped[int] = mapped_column(BigInteger)
    target_by: Mapped[date] = mapped_column(Date)
    catalogue_version: Mapped[str] = mapped_column(String(50))
    set_by: Mapped[str] = mapped_column(String(200))
    set_at: Mapped[datetime] = mapped_column(Stamp)


class ReportVersion(Base):
    """Which submission of its grant's period a report is: 1 for the first, 2 after changes were asked for, ..."""

    __tablename__ = "report_versions"
    __table_args__ = (UniqueConstraint("grant_id", "period_number", "version", name="uq_report_versions_period"),)

    report_id: Mapped[str] = mapped_column(ForeignKey("impact_reports.id"), primary_key=True)
    grant_id: Mapped[str] = mapped_column(String(100), index=True)
    period_number: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)


class ReportReminder(Base):
    """A reminder sent for one report period of a grant, once per kind ("due" or "overdue"): the durable marker."""

    __tablename__ = "report_reminders"

    grant_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    period_number: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    due_on: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(Stamp)
