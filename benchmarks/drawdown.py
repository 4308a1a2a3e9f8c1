"""Benchmark: the drawdown plan as a constraint of the walk, on 1,000,000 applications with rationales.

Run: ``uv run python -m benchmarks.drawdown``. The baseline, measured in the same run, is allocate(...) plus every
rationale without a plan (benchmarks/allocation.py's book and policy); the result is the same under a 20-year plan
whose headroom binds part-way through the walk, so the plan stop, its declines and their sentences are all timed.
Times are the best of 3, run alternately.
"""

from __future__ import annotations

import time
from datetime import date

import numpy as np

from allocation.domain import allocate
from allocation.domain.drawdown import PlanLimit
from allocation.domain.rationale_batch import rationales
from benchmarks.allocation import N_APPLICATIONS, synthetic
from grants_shared.drawdown import year_label

YEARS = [year_label(2026 + i) for i in range(20)]
HEADROOM = 1_200_000_000  # £12m a year: a £175m round of 10-15 year grants meets it before its budget runs out


def main() -> None:
    """Print baseline, result and ratio."""
    applications, neighbourhoods, policy = synthetic()
    durations = np.random.default_rng(7).choice([120, 150, 180], N_APPLICATIONS).astype(np.int64)
    plan = PlanLimit.build(date(2026, 12, 7), dict.fromkeys(YEARS, HEADROOM), durations)

    def plain() -> float:
        started = time.perf_counter()
        rationales(allocate(applications, neighbourhoods, policy))
        return time.perf_counter() - started

    def planned() -> float:
        started = time.perf_counter()
        rationales(allocate(applications, neighbourhoods, policy, plan))
        return time.perf_counter() - started

    base, result = float("inf"), float("inf")
    for _ in range(3):
        base, result = min(base, plain()), min(result, planned())
    decided = allocate(applications, neighbourhoods, policy, plan)
    print(f"plan stopped the walk in {decided.plan_year}; awards {np.count_nonzero(decided.awarded_pence):,}")
    print(f"baseline (no plan): {base * 1000:.0f} ms")
    print(f"result (20-year plan binding): {result * 1000:.0f} ms")
    print(f"ratio: {result / base:.2f}")


if __name__ == "__main__":
    main()
