"""Report periods: a grant has one per tranche of its schedule, and a period may be reported once it has begun.

Period n is the stretch tranche n pays for, so it begins when tranche n falls due; period 1 begins at the award
(payments schedules tranche 1 on the award date). A report for period n lets payments release tranche n + 1.
"""

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
