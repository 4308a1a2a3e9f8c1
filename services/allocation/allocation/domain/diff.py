"""Compare two runs: who gains, who loses, and where the money moved by region and IMD decile."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from allocation.domain.result import AllocationResult


@dataclass(frozen=True, slots=True)
class Change:
    """One application whose award differs between the runs (0 where not awarded or not present)."""

    application_id: str
    awarded_a: int
    awarded_b: int

    @property
    def delta(self) -> int:
        """Pence gained (positive) or lost (negative) in run b."""
        return self.awarded_b - self.awarded_a


@dataclass(frozen=True, slots=True)
class RunDiff:
    """Differences from run a to run b; every figure is b minus a, in pence."""

    changes: tuple[Change, ...]
    by_region: dict[str, int]
    by_imd_decile: dict[int, int]
    total_a: int
    total_b: int

    @property
    def gainers(self) -> tuple[Change, ...]:
        """Applications awarded more in b, biggest gain first."""
        return tuple(sorted((c for c in self.changes if c.delta > 0), key=lambda c: (-c.delta, c.application_id)))

    @property
    def losers(self) -> tuple[Change, ...]:
        """Applications awarded less in b, biggest loss first."""
        return tuple(sorted((c for c in self.changes if c.delta < 0), key=lambda c: (c.delta, c.application_id)))

    @property
    def moved_pence(self) -> int:
        """Money that went to different applications: the sum of all gains."""
        return sum(c.delta for c in self.changes if c.delta > 0)


def _awards(result: AllocationResult) -> tuple[dict[str, int], Counter[str], Counter[int]]:
    """Awards of one run by application id, by region name and by IMD decile."""
    rows = np.flatnonzero(result.awarded_pence > 0)
    nb = result.applications.neighbourhood[rows]
    ids = [i.decode("utf-8") for i in result.applications.application_id[rows].tolist()]
    amounts = result.awarded_pence[rows].tolist()
    names = result.neighbourhoods.region_names
    regions = [names[r] for r in result.neighbourhoods.region[nb].tolist()]
    deciles = result.neighbourhoods.imd_decile[nb].tolist()
    by_region: Counter[str] = Counter()
    by_decile: Counter[int] = Counter()
    for region, decile, amount in zip(regions, deciles, amounts, strict=True):
        by_region[region] += amount
        by_decile[decile] += amount
    return dict(zip(ids, amounts, strict=True)), by_region, by_decile


def diff_runs(a: AllocationResult, b: AllocationResult) -> RunDiff:
    """Who gains and who loses from run a to run b, and the net money moved by region and decile."""
    awards_a, regions_a, deciles_a = _awards(a)
    awards_b, regions_b, deciles_b = _awards(b)
    changes = tuple(
        Change(app, awards_a.get(app, 0), awards_b.get(app, 0))
        for app in sorted(awards_a.keys() | awards_b.keys())
        if awards_a.get(app, 0) != awards_b.get(app, 0)
    )
    by_region = {r: regions_b[r] - regions_a[r] for r in sorted(regions_a.keys() | regions_b.keys())}
    by_decile = {d: deciles_b[d] - deciles_a[d] for d in sorted(deciles_a.keys() | deciles_b.keys())}
    return RunDiff(changes, by_region, by_decile, a.total_awarded_pence, b.total_awarded_pence)
