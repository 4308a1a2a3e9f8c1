"""A grant's outcome plan and its reports' results, checked against the indicator catalogue."""

from dataclasses import dataclass
from datetime import date

from grants_shared.errors import Invalid
from reporting.domain.indicators import INDICATORS, Catalogue, checked


@dataclass(frozen=True)
class PlanLine:
    """One indicator a grant plans to move: where it starts (baseline) and where it aims to be (target)."""

    indicator: str
    baseline_value: int
    baseline_on: date
    target_value: int
    target_by: date


class IndicatorNotInPlan(Invalid):
    """A result for an indicator the grant's outcome plan does not include (422)."""

    default_code = "indicator-not-in-plan"
    default_title = "The grant's outcome plan has no such indicator"


class PlanDatesInverted(Invalid):
    """A target due before its baseline was measured (422)."""

    default_code = "plan-dates-inverted"
    default_title = "A target's date is before its baseline's"


class PlanIndicatorRepeated(Invalid):
    """The same indicator twice in one plan (422)."""

    default_code = "plan-indicator-repeated"
    default_title = "An indicator appears twice in the plan"


def check_plan(catalogue: Catalogue, lines: list[PlanLine]) -> None:
    """Refuse a plan with an unknown or repeated indicator, a value out of range, or a target before its baseline."""
    seen: set[str] = set()
    for line in lines:
        if line.indicator in seen:
            raise PlanIndicatorRepeated(f"{line.indicator} appears more than once.", indicator=line.indicator)
        seen.add(line.indicator)
        checked(catalogue, line.indicator, line.baseline_value, "baseline")
        checked(catalogue, line.indicator, line.target_value, "target")
        if line.target_by < line.baseline_on:
            raise PlanDatesInverted(
                f"The target of {line.indicator} is due {line.target_by}, before its baseline ({line.baseline_on}).",
                indicator=line.indicator,
            )


def checked_results(catalogue: Catalogue, planned: set[str] | None, results: dict[str, int]) -> dict[str, int]:
    """The results a report records, after refusing unknown, unplanned or out-of-range values.

    Without a plan (`planned` None) a report records the seven indicators reports always carried, unreported ones
    as 0, plus any other catalogue indicator it gives.
    """
    for code, value in results.items():
        checked(catalogue, code, value, "result")
        if planned is not None and code not in planned:
            raise IndicatorNotInPlan(
                f"{code} is not in the grant's outcome plan ({', '.join(sorted(planned)) or 'empty'}).",
                indicator=code,
            )
    if planned is None:
        return {**dict.fromkeys(INDICATORS, 0), **results}
    return dict(results)
