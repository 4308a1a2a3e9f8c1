"""Turn neighbourhood need snapshots into the engine's column arrays.

The snapshots carry IMD as a mean rank (a float, lower is more deprived); the engine wants integer
ranks, so ranks are taken by position among the snapshots given (ties share the lowest rank). A
neighbourhood without IMD measures ranks after every other and counts as decile 10; one without a
"left behind" flag counts as not left behind.
"""

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from allocation.domain import NeighbourhoodArrays


def _competition_ranks(values: Sequence[float | None]) -> list[int]:
    """1-based ranks of the values, ascending, ties sharing the lowest rank; missing values rank last."""
    present = sorted(v for v in values if v is not None)
    first: dict[float, int] = {}
    for position, value in enumerate(present, start=1):
        first.setdefault(value, position)
    last = len(present) + 1
    return [first[v] if v is not None else last for v in values]


def _decile(value: Any) -> int:
    return min(max(int(value), 1), 10) if isinstance(value, int) else 10


def _cni(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and math.isfinite(value) and value >= 0 else math.nan


def neighbourhood_arrays(snapshots: Sequence[dict[str, Any]]) -> NeighbourhoodArrays:
    """The registry as engine columns, in the order given; regions are indexed by sorted region name."""
    region_names = tuple(sorted({str(s["region_name"]) for s in snapshots}))
    region_index = {name: i for i, name in enumerate(region_names)}
    codes = [s["code"].encode("utf-8") for s in snapshots]
    return NeighbourhoodArrays(
        code=np.array(codes, dtype=np.bytes_) if codes else np.zeros(0, "S1"),
        imd_rank=np.array(_competition_ranks([s.get("imd_mean_rank") for s in snapshots]), dtype=np.int64),
        imd_decile=np.array([_decile(s.get("imd_decile")) for s in snapshots], dtype=np.int64),
        cni_score=np.array([_cni(s.get("cni_score")) for s in snapshots], dtype=np.float64),
        left_behind=np.array([bool(s.get("left_behind")) for s in snapshots], dtype=np.bool_),
        region=np.array([region_index[str(s["region_name"])] for s in snapshots], dtype=np.int64),
        region_names=region_names,
    )
