"""The soak's outcome plans and results: drawn from the real indicator catalogue and valid against it."""

from datetime import date

from grants_cli.soak.outcomes import PLANNED, plan_for, results_for, sent_back
from reporting.adapters.catalogue import catalogue
from reporting.domain.outcome_plan import PlanLine, check_plan, checked_results

AWARDED = date(2026, 12, 7)


def indicators() -> list[dict[str, object]]:
    return [i.model_dump(mode="json") for i in catalogue().indicators]


def test_every_plan_is_one_the_catalogue_accepts_and_its_results_are_valid_for_it() -> None:
    ranges = {str(i["code"]): (int(i["minimum"]), int(i["maximum"])) for i in indicators()}  # type: ignore[call-overload]
    for n in range(200):
        plan = plan_for(f"grant-{n}", indicators(), AWARDED, seed=7)
        check_plan(catalogue(), [PlanLine(**{**line, "baseline_on": AWARDED, "target_by": AWARDED}) for line in plan])
        planned = {line["indicator"] for line in plan}
        assert PLANNED[0] <= len(plan) <= PLANNED[1]
        for version in (1, 2):
            results = results_for(f"grant-{n}", plan, ranges, 1, 7, version)
            assert checked_results(catalogue(), planned, results) == results
            assert set(results) == planned


def test_the_same_seed_gives_the_same_plan_and_another_seed_another() -> None:
    first = [plan_for(f"grant-{n}", indicators(), AWARDED, seed=7) for n in range(20)]

    assert first == [plan_for(f"grant-{n}", indicators(), AWARDED, seed=7) for n in range(20)]
    assert first != [plan_for(f"grant-{n}", indicators(), AWARDED, seed=8) for n in range(20)]


def test_one_grant_in_eight_has_its_report_sent_back() -> None:
    assert sum(sent_back(i) for i in range(104)) == 13
