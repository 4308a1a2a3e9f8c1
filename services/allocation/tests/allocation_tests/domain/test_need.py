"""The need index: integer percentiles, the weighted blend, IMD alone where CNI is missing."""

from __future__ import annotations

import numpy as np
import pytest

from allocation.domain.need import (
    cni_percentile_bp,
    eligible_neighbourhoods,
    format_score,
    imd_percentile_bp,
    need_scores_bp,
)

from .builders import policy, registry


def test_imd_percentile_runs_from_most_to_least_deprived() -> None:
    ranks = np.array([3, 1, 5, 2, 4], dtype=np.int64)
    assert imd_percentile_bp(ranks).tolist() == [5000, 10000, 0, 7500, 2500]


def test_tied_imd_ranks_share_a_percentile_and_a_lone_neighbourhood_scores_full() -> None:
    assert imd_percentile_bp(np.array([1, 1, 2], dtype=np.int64)).tolist() == [5000, 5000, 0]
    assert imd_percentile_bp(np.array([42], dtype=np.int64)).tolist() == [10000]


def test_percentiles_floor_to_whole_basis_points() -> None:
    assert imd_percentile_bp(np.array([1, 2, 3, 4], dtype=np.int64)).tolist() == [10000, 6666, 3333, 0]


def test_cni_percentile_counts_only_neighbourhoods_that_hold_a_score() -> None:
    scores = np.array([10.0, np.nan, 30.0, 20.0, -1.0])
    present = np.isfinite(scores) & (scores >= 0)
    assert cni_percentile_bp(scores, present).tolist() == [0, 0, 10000, 5000, 0]


def test_blend_weights_and_rounds_half_up() -> None:
    nbs = registry([1, 2, 3], cni=[30.0, 10.0, 20.0])  # imd 10000/5000/0, cni 10000/0/5000
    assert need_scores_bp(nbs, policy(imd_weight=70, cni_weight=30)).tolist() == [10000, 3500, 1500]
    assert need_scores_bp(nbs, policy(imd_weight=0, cni_weight=100)).tolist() == [10000, 0, 5000]


def test_missing_cni_means_imd_alone() -> None:
    nbs = registry([1, 2, 3], cni=[np.nan, -1.0, 50.0])
    assert need_scores_bp(nbs, policy(imd_weight=20, cni_weight=80)).tolist()[:2] == [10000, 5000]


def test_blend_rounding_is_half_up() -> None:
    nbs = registry([1, 2, 3, 4], cni=[1.0, 2.0, 3.0, 4.0])  # imd 10000/6666/3333/0, cni 0/3333/6666/10000
    assert need_scores_bp(nbs, policy(imd_weight=51, cni_weight=49)).tolist() == [5100, 5033, 4966, 4900]


@pytest.mark.parametrize(
    ("bp", "text"),
    [
        (6134, "61.3"),
        (6135, "61.4"),
        (10000, "100.0"),
        (0, "0.0"),
        (4, "0.0"),
        (5, "0.1"),
        (44, "0.4"),
        (45, "0.5"),
        (995, "10.0"),
    ],
)
def test_score_text_has_one_decimal_half_up(bp: int, text: str) -> None:
    assert format_score(bp) == text


def test_eligibility_rules() -> None:
    nbs = registry([1, 2, 3], decile=[1, 2, 3], left_behind=[False, True, False])
    assert eligible_neighbourhoods(nbs, policy(eligibility="left_behind")).tolist() == [False, True, False]
    assert eligible_neighbourhoods(nbs, policy(eligibility="imd_decile_1_2")).tolist() == [True, True, False]
    assert eligible_neighbourhoods(nbs, policy(eligibility="any")).tolist() == [True, True, True]
