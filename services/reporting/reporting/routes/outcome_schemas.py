"""HTTP models of outcome plans, report schedules and versioned reports."""

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from grants_shared.clock import as_utc
from reporting.routes.schemas import IndicatorCode, ReportOut

Value = Annotated[int, Field(strict=True, ge=0, le=1_000_000_000)]
Code = IndicatorCode
Utc = Annotated[datetime, AfterValidator(as_utc)]


class PlanLineIn(BaseModel):
    """One indicator of a grant's outcome plan: baseline value and date, target value and by-date."""

    model_config = ConfigDict(extra="forbid")

    indicator: Code
    baseline_value: Value
    baseline_on: date
    target_value: Value
    target_by: date


class PlanIn(BaseModel):
    """A grant's outcome plan: the catalogue indicators it will report on (replaces any plan it had)."""

    model_config = ConfigDict(extra="forbid")

    indicators: list[PlanLineIn] = Field(min_length=1, max_length=50)


class PlanLineOut(BaseModel):
    """One indicator of a grant's plan as stored."""

    model_config = ConfigDict(from_attributes=True)

    indicator: str
    baseline_value: int
    baseline_on: date
    target_value: int
    target_by: date
    catalogue_version: str
    set_by: str
    set_at: Utc


class PlanOut(BaseModel):
    """A grant's outcome plan (empty `indicators` when none is set: the grant reports the seven default counts)."""

    grant_id: str
    indicators: list[PlanLineOut]


class ScheduledReportOut(BaseModel):
    """One report a grant owes."""

    grant_id: str
    organisation_id: str
    period_number: int
    starts_on: date
    due_on: date
    status: str = Field(description="not_started, open, due (within the reminder window), overdue, submitted, accepted")
    report_id: str | None


class ReportScheduleOut(BaseModel):
    """A grant's report schedule: one report per tranche period."""

    grant_id: str
    as_of: date
    reports: list[ScheduledReportOut]


class DueReportsOut(BaseModel):
    """Reports due soon or overdue across the fund."""

    status: str
    as_of: date
    total: int
    items: list[ScheduledReportOut]


class ReportVersionOut(BaseModel):
    """One submission of a grant's period."""

    version: int | None
    report_id: str
    status: str
    submitted_at: Utc
    submitted_by: str
    reviewed_at: Utc | None
    change_reasons: list[str] | None
    outcomes: dict[str, int]


class VersionedReportOut(ReportOut):
    """A report with its version and the history of its period (every submission, oldest first)."""

    version: int | None
    versions: list[ReportVersionOut]


def scheduled_out(owed: Any) -> ScheduledReportOut:
    """The API form of a `ScheduledReport`."""
    return ScheduledReportOut(
        grant_id=owed.grant_id,
        organisation_id=owed.organisation_id,
        period_number=owed.period.number,
        starts_on=owed.period.starts_on,
        due_on=owed.period.due_on,
        status=owed.status,
        report_id=owed.report_id,
    )
