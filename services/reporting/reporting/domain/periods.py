"""Report periods: a grant has one per tranche of its schedule, and a period may be reported once it has begun.

Period n is the stretch tranche n pays for, so it begins when tranche n falls due; period 1 begins at the award
(payments schedules tranche 1 on the award date). A report for period n lets payments release tranche n + 1.
"""

import calendar
from dataclasses import dataclass
from datetime import date

from grants_shared.errors import Conflict


class PeriodNotScheduled(Conflict):
    """The grant's schedule has no tranche, and so no period, of that number (409)."""

    default_code = "period-not-scheduled"
    default_title = "The grant's schedule has no such period"


class PeriodNotStarted(Conflict):
    """The period has not begun yet, so it cannot be reported on (409)."""

    default_code = "period-not-started"
    default_title = "The period has not started yet"


def period_start(number: int, awarded_on: date, due_on: date) -> date:
    """The first day of period `number`: the award date for period 1, else the day its tranche falls due."""
    return awarded_on if number == 1 else due_on


def check_reportable(grant_id: str, number: int, awarded_on: date, due_on: date | None, today: date) -> None:
    """Refuse a report for a period outside the schedule (`due_on` None) or one that starts after `today`."""
    if due_on is None:
        raise PeriodNotScheduled(
            f"Grant {grant_id} has no tranche {number} in its schedule, so no period {number}.", period_number=number
        )
    starts = period_start(number, awarded_on, due_on)
    if today < starts:
        raise PeriodNotStarted(
            f"Period {number} of grant {grant_id} starts on {starts.isoformat()}; report on it from then.",
            period_number=number,
            starts_on=starts.isoformat(),
        )


@dataclass(frozen=True)
class ReportPeriod:
    """One period of a grant's report schedule: when it begins and when its report falls due."""

    number: int
    starts_on: date
    due_on: date


def report_periods(awarded_on: date, duration_months: int, tranche_dues: dict[int, date]) -> list[ReportPeriod]:
    """One period per tranche; period n's report falls due when tranche n + 1 does (it releases that tranche).

    The last period's report falls due at the end of the grant (award date plus its duration).
    """
    numbers = sorted(tranche_dues)
    ends = add_months(awarded_on, duration_months)
    periods = []
    for index, number in enumerate(numbers):
        later = numbers[index + 1] if index + 1 < len(numbers) else None
        due_on = tranche_dues[later] if later is not None else max(ends, tranche_dues[number])
        periods.append(ReportPeriod(number, period_start(number, awarded_on, tranche_dues[number]), due_on))
    return periods


def report_status(period: ReportPeriod, reported: str | None, today: date, reminder_days: int) -> str:
    """submitted or accepted when a live report exists; else overdue, due (within `reminder_days`), open or
    not_started."""
    if reported is not None:
        return reported
    if today > period.due_on:
        return "overdue"
    if (period.due_on - today).days <= reminder_days:
        return "due"
    return "open" if today >= period.starts_on else "not_started"


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
