"""Small builders and hypothesis strategies shared by the allocation domain tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st

from allocation.domain import ApplicationArrays, NeighbourhoodArrays, Policy

REGIONS = ("London", "North East", "Yorkshire and The Humber")


def registry(
    imd_rank: Sequence[int],
    *,
    cni: Sequence[float] | None = None,
    decile: Sequence[int] | None = None,
    left_behind: Sequence[bool] | None = None,
    region: Sequence[int] | None = None,
    codes: Sequence[str] | None = None,
) -> NeighbourhoodArrays:
    """Neighbourhoods N0, N1, ... with the given IMD ranks and optional other columns."""
    n = len(imd_rank)
    return NeighbourhoodArrays(
        code=np.array([c.encode() for c in (codes or [f"N{i}" for i in range(n)])]),
        imd_rank=np.asarray(imd_rank, dtype=np.int64),
        imd_decile=np.asarray(decile if decile is not None else [1] * n, dtype=np.int64),
        cni_score=np.asarray(cni if cni is not None else [np.nan] * n, dtype=np.float64),
        left_behind=np.asarray(left_behind if left_behind is not None else [True] * n, dtype=np.bool_),
        region=np.asarray(region if region is not None else [0] * n, dtype=np.int64),
        region_names=REGIONS,
    )


def applications(rows: Sequence[tuple[str, int, int]]) -> ApplicationArrays:
    """Applications from (id, neighbourhood row, requested pence) triples."""
    return ApplicationArrays.from_rows([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])


def policy(**overrides: Any) -> Policy:
    """A small-money policy: budget 1000p, awards 100p to 300p, everyone eligible."""
    fields: dict[str, Any] = {
        "budget_pence": 1000,
        "min_award_pence": 100,
        "max_award_pence": 300,
        "eligibility": "any",
    }
    fields.update(overrides)
    return Policy(**fields)


@dataclass(frozen=True)
class Scenario:
    """One generated run's inputs."""

    applications: ApplicationArrays
    neighbourhoods: NeighbourhoodArrays
    policy: Policy


@st.composite
def policies(draw: st.DrawFn, regions: Sequence[str] = REGIONS) -> Policy:
    """Any valid policy over small amounts, with optional caps and floors."""
    budget = draw(st.integers(1, 3000))
    reserve = draw(st.integers(0, budget))
    low = draw(st.integers(1, 300))
    high = draw(st.integers(low, 500))
    imd_weight = draw(st.integers(0, 100))
    caps = {r: draw(st.integers(0, 1500)) for r in regions if draw(st.booleans())}
    floors: dict[str, int] = {}
    room = budget - reserve
    for r in regions:
        if draw(st.booleans()):
            floors[r] = draw(st.integers(0, min(room, caps.get(r, room))))
            room -= floors[r]
    return Policy(
        budget_pence=budget,
        reserve_pence=reserve,
        min_award_pence=low,
        max_award_pence=high,
        partial_awards=draw(st.booleans()),
        one_award_per_neighbourhood=draw(st.booleans()),
        eligibility=draw(st.sampled_from(["left_behind", "imd_decile_1_2", "any"])),
        imd_weight=imd_weight,
        cni_weight=100 - imd_weight,
        region_caps=caps,
        region_floors=floors,
    )


@st.composite
def scenarios(draw: st.DrawFn, max_applications: int = 30) -> Scenario:
    """A registry of up to 8 neighbourhoods, up to max_applications applications, and a policy."""
    n_nb = draw(st.integers(1, 8))
    codes = draw(st.lists(st.text("AB0é", min_size=1, max_size=3), min_size=n_nb, max_size=n_nb, unique=True))
    cni = st.one_of(st.just(float("nan")), st.just(-1.0), st.floats(0, 100, allow_nan=False))
    neighbourhoods = registry(
        draw(st.lists(st.integers(1, 6), min_size=n_nb, max_size=n_nb)),
        cni=draw(st.lists(cni, min_size=n_nb, max_size=n_nb)),
        decile=draw(st.lists(st.integers(1, 10), min_size=n_nb, max_size=n_nb)),
        left_behind=draw(st.lists(st.booleans(), min_size=n_nb, max_size=n_nb)),
        region=draw(st.lists(st.integers(0, len(REGIONS) - 1), min_size=n_nb, max_size=n_nb)),
        codes=codes,
    )
    n = draw(st.integers(0, max_applications))
    ids = draw(st.lists(st.text("xy9ü", min_size=1, max_size=4), min_size=n, max_size=n, unique=True))
    rows = [(i, draw(st.integers(0, n_nb - 1)), draw(st.integers(1, 600))) for i in ids]
    return Scenario(applications(rows), neighbourhoods, draw(policies()))
