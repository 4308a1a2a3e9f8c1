"""Benchmark: least-first allocation of 1,000,000 applications over 7,000 neighbourhoods, with rationales.

Run: ``uv run python -m benchmarks.allocation``. The baseline, measured in the same run, is the bare core:
one plain np.lexsort over the four ranking keys per application (need desc, IMD rank, code rank, application
id bytes), gathered before timing, then np.cumsum of the clamped awards and a budget mask. The result is the
whole of allocate(...) from the raw columns plus every rationale string as a list of str. The engine sorts an
order-equivalent packed integer key instead, far cheaper than the baseline's sort, so the same core on that
key is timed too and its ratio printed for reference. Times are the best of 3, run alternately; memory is
the tracemalloc peak (Python objects and numpy buffers) of one untimed result run.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable

import numpy as np

from allocation.domain import ApplicationArrays, NeighbourhoodArrays, Policy, allocate
from allocation.domain.need import need_scores_bp
from allocation.domain.ranking import lead_key, neighbourhood_places
from allocation.domain.rationale_batch import rationales

N_APPLICATIONS = 1_000_000
N_NEIGHBOURHOODS = 7_000
REGIONS = (
    "East Midlands",
    "East of England",
    "London",
    "North East",
    "North West",
    "South East",
    "South West",
    "West Midlands",
    "Yorkshire and The Humber",
)


def uuid4_texts(rng: np.random.Generator, n: int) -> np.ndarray:
    """Seeded random UUID4s as 36-byte text, the form grants_shared.ids.new_id gives applications."""
    raw = rng.integers(0, 256, (n, 16), dtype=np.uint8)
    raw[:, 6] = raw[:, 6] & 0x0F | 0x40
    raw[:, 8] = raw[:, 8] & 0x3F | 0x80
    digits = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    hexed = np.stack([digits[raw >> 4], digits[raw & 0x0F]], axis=2).reshape(n, 32)
    text = np.insert(hexed, [8, 12, 16, 20], ord("-"), axis=1)
    return np.ascontiguousarray(text).view("S36").ravel()


def synthetic(seed: int = 2025) -> tuple[ApplicationArrays, NeighbourhoodArrays, Policy]:
    """A seeded registry and application book shaped like the real ward data."""
    rng = np.random.default_rng(seed)
    imd_rank = rng.integers(1, 32_845, N_NEIGHBOURHOODS)
    cni = rng.uniform(0, 100, N_NEIGHBOURHOODS)
    cni[rng.random(N_NEIGHBOURHOODS) < 0.05] = np.nan
    left_behind = np.zeros(N_NEIGHBOURHOODS, dtype=np.bool_)
    left_behind[rng.choice(N_NEIGHBOURHOODS, 225, replace=False)] = True
    neighbourhoods = NeighbourhoodArrays(
        code=np.array([f"E05{i:06d}".encode() for i in rng.permutation(N_NEIGHBOURHOODS)]),
        imd_rank=imd_rank,
        imd_decile=np.minimum((imd_rank - 1) * 10 // 32_844 + 1, 10),
        cni_score=cni,
        left_behind=left_behind,
        region=rng.integers(0, len(REGIONS), N_NEIGHBOURHOODS),
        region_names=REGIONS,
    )
    applications = ApplicationArrays(
        uuid4_texts(rng, N_APPLICATIONS),
        rng.integers(0, N_NEIGHBOURHOODS, N_APPLICATIONS),
        rng.integers(50_000_000, 300_000_000, N_APPLICATIONS),  # £0.5m to £3m asked
    )
    # Everyone eligible, so the engine ranks all 1,000,000 rows, as the baseline does.
    policy = Policy(
        budget_pence=17_500_000_000,
        min_award_pence=100_000_000,
        max_award_pence=250_000_000,
        partial_awards=True,
        eligibility="any",
    )
    return applications, neighbourhoods, policy


def baseline_keys(apps: ApplicationArrays, nbs: NeighbourhoodArrays, policy: Policy) -> tuple[np.ndarray, ...]:
    """The four ranking keys per application, least significant first, as np.lexsort takes them."""
    nb = apps.neighbourhood
    code_rank = np.empty(len(nbs), dtype=np.int64)
    code_rank[np.argsort(nbs.code, kind="stable")] = np.arange(len(nbs))
    return apps.application_id, code_rank[nb], nbs.imd_rank[nb], -need_scores_bp(nbs, policy)[nb]


def baseline(keys: tuple[np.ndarray, ...], requested: np.ndarray, policy: Policy) -> np.ndarray:
    """Bare core: one lexsort, clamp, cumulative sum, budget mask."""
    order = np.lexsort(keys)
    award = np.clip(requested[order], policy.min_award_pence, policy.max_award_pence)
    funded: np.ndarray = np.cumsum(award) <= policy.available_pence
    return funded


def engine_sort_keys(apps: ApplicationArrays, nbs: NeighbourhoodArrays, policy: Policy) -> tuple[np.ndarray, ...]:
    """For reference only: the packed, order-equivalent key the engine hands its single np.lexsort."""
    place = neighbourhood_places(nbs, need_scores_bp(nbs, policy))[apps.neighbourhood]
    return (lead_key(apps.application_id, place, len(nbs))[0],)


def full(apps: ApplicationArrays, nbs: NeighbourhoodArrays, policy: Policy) -> list[str]:
    """The engine end to end, rationale strings included."""
    return rationales(allocate(apps, nbs, policy))


def main() -> None:
    """Time the baselines and the result alternately, best of 3 each, then measure peak memory."""
    apps, nbs, policy = synthetic()
    keys, packed = baseline_keys(apps, nbs, policy), engine_sort_keys(apps, nbs, policy)
    jobs: dict[str, Callable[[], object]] = {
        "baseline": lambda: baseline(keys, apps.requested_pence, policy),
        "packed": lambda: baseline(packed, apps.requested_pence, policy),
        "result": lambda: full(apps, nbs, policy),
    }
    runs: dict[str, list[float]] = {name: [] for name in jobs}
    for _ in range(3):
        for name, job in jobs.items():
            start = time.perf_counter()
            output = job()
            runs[name].append(time.perf_counter() - start)
            del output  # freeing a million strings is teardown, not production: outside the timing
    texts = full(apps, nbs, policy)
    assert len(texts) == N_APPLICATIONS and all(isinstance(t, str) for t in texts[:1000])
    del texts
    tracemalloc.start()
    full(apps, nbs, policy)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    best = {name: min(times) for name, times in runs.items()}
    print(f"applications: {N_APPLICATIONS:,} over {N_NEIGHBOURHOODS:,} neighbourhoods (all eligible)")
    print(
        f"packed-key baseline: {best['packed']:.3f}s (the same core on the engine's packed key; "
        f"ratio against it: {best['result'] / best['packed']:.2f})"
    )
    print(f"baseline: {best['baseline']:.3f}s")
    print(f"result: {best['result']:.3f}s")
    print(f"peak memory: {peak / 2**20:.0f} MiB (tracemalloc peak of one result run, rationales included)")
    print(f"ratio: {best['result'] / best['baseline']:.2f}")


if __name__ == "__main__":
    main()
