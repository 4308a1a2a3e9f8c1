"""Diffing two runs: gainers, losers, and net money by region and IMD decile."""

from __future__ import annotations

from allocation.domain import allocate
from allocation.domain.diff import Change, diff_runs

from .builders import applications, policy, registry


def test_diff_names_who_gains_who_loses_and_where_the_money_went() -> None:
    nbs = registry([1, 2, 3, 4], region=[0, 0, 1, 2], decile=[1, 1, 2, 3])
    apps = applications([("a", 0, 300), ("b", 1, 300), ("c", 2, 300), ("d", 3, 300)])
    depth = allocate(apps, nbs, policy(budget_pence=900, min_award_pence=300, max_award_pence=300))
    breadth = allocate(apps, nbs, policy(budget_pence=900, min_award_pence=200, max_award_pence=200))
    diff = diff_runs(depth, breadth)
    assert diff.changes == (Change("a", 300, 200), Change("b", 300, 200), Change("c", 300, 200), Change("d", 0, 200))
    assert [c.application_id for c in diff.gainers] == ["d"]
    assert [c.application_id for c in diff.losers] == ["a", "b", "c"]
    assert diff.by_region == {"London": -200, "North East": -100, "Yorkshire and The Humber": 200}
    assert diff.by_imd_decile == {1: -200, 2: -100, 3: 200}
    assert (diff.total_a, diff.total_b, diff.moved_pence) == (900, 800, 200)
    assert sum(diff.by_region.values()) == diff.total_b - diff.total_a


def test_identical_runs_have_no_changes() -> None:
    apps, nbs = applications([("a", 0, 300)]), registry([1])
    run = allocate(apps, nbs, policy())
    diff = diff_runs(run, run)
    assert diff.changes == () and diff.moved_pence == 0 and all(v == 0 for v in diff.by_region.values())
