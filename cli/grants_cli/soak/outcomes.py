"""The outcome side of the soak's workload: each grant's outcome plan from the catalogue, and its reports' results.

A grant plans three to five catalogue indicators with a baseline and a target; each period's report gives a result
for every planned indicator, within the catalogue's range. Every `SEND_BACK_EVERY`-th grant's report is sent back
for changes once and submitted again (version 2) with corrected figures, so the accepted results are the second's.
"""

import random
from datetime import date, timedelta
from typing import Any

PLANNED = (3, 5)  # indicators per plan, fewest to most
SEND_BACK_EVERY = 8  # one grant in eight has its report sent back once
CHANGES_ASKED = ["The volunteering figures do not match the attendance registers: please recount."]


def plan_for(grant_id: str, indicators: list[dict[str, Any]], awarded_on: date, seed: int) -> list[dict[str, Any]]:
    """A plan of a few catalogue indicators (fixed by the seed and the grant), each with a baseline and a target."""
    pick = random.Random(f"{seed}:{grant_id}:plan")
    chosen = pick.sample(sorted(indicators, key=lambda i: i["code"]), pick.randint(*PLANNED))
    return [_line(indicator, awarded_on, pick) for indicator in sorted(chosen, key=lambda i: i["code"])]


def _line(indicator: dict[str, Any], awarded_on: date, pick: random.Random) -> dict[str, Any]:
    low, high = indicator["minimum"], indicator["maximum"]
    span = max(1, (high - low) // 100)
    # Counts start near the low end of their range; a figure to bring down (loneliness) starts a third of the way up.
    start = low if indicator["higher_is_better"] else low + (high - low) // 3
    baseline = start + pick.randint(0, span)
    step = pick.randint(1, span)
    target = min(high, baseline + step) if indicator["higher_is_better"] else max(low, baseline - step)
    return {
        "indicator": indicator["code"],
        "baseline_value": baseline,
        "baseline_on": awarded_on.isoformat(),
        "target_value": target,
        "target_by": (awarded_on + timedelta(days=365)).isoformat(),
    }


def results_for(
    grant_id: str, plan: list[dict[str, Any]], ranges: dict[str, tuple[int, int]], period: int, seed: int, version: int
) -> dict[str, int]:
    """A report's result per planned indicator, within the catalogue's range (version 2 corrects version 1)."""
    pick = random.Random(f"{seed}:{grant_id}:{period}:{version}")
    results = {}
    for line in plan:
        low, high = ranges[line["indicator"]]
        middle = (line["baseline_value"] + line["target_value"]) // 2
        results[line["indicator"]] = min(high, max(low, middle + pick.randint(-2, 2)))
    return results


def sent_back(index: int) -> bool:
    """Whether the grant at `index` (in grant id order) has its report sent back once."""
    return index % SEND_BACK_EVERY == SEND_BACK_EVERY - 1
