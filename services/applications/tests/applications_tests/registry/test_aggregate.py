"""Pure aggregation and exact rounding, on hand-made records."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from applications.adapters.registry import (
    Domains,
    LsoaMeasures,
    WardGeography,
    aggregate_ward,
    aggregate_wards,
    decile_counts,
    ratio_2dp,
)

GEO = WardGeography("W1", "Ward One", "L1", "District", "R1", "Region")


def _lsoa(code: str, rank: int, decile: int, population: int, ward: str | None = "W1") -> LsoaMeasures:
    domains = Domains.of([rank + i for i in range(7)])
    return LsoaMeasures(
        code, code, "L19", "District", rank, decile, domains, Domains.of([decile] * 7), population, ward
    )


@pytest.mark.parametrize(
    ("num", "den", "expected"),
    [(1, 8, "0.12"), (3, 8, "0.38"), (5, 8, "0.62"), (2, 3, "0.67"), (30_443_180, 6_663, "4568.99"), (0, 5, "0.00")],
)
def test_ratio_2dp_rounds_half_even(num: int, den: int, expected: str) -> None:
    assert ratio_2dp(num, den) == Decimal(expected)
    assert str(ratio_2dp(num, den)) == expected


def test_ratio_2dp_refuses_zero_denominator() -> None:
    with pytest.raises(ValueError):
        ratio_2dp(1, 0)


def test_decile_counts() -> None:
    assert decile_counts([1, 1, 10, 3]) == (2, 0, 1, 0, 0, 0, 0, 0, 0, 1)
    with pytest.raises(ValueError):
        decile_counts([0])


def test_aggregate_ward_by_hand() -> None:
    ward = aggregate_ward(GEO, [_lsoa("B", 300, 2, 1000), _lsoa("A", 100, 1, 3000)], None)
    assert ward.lsoa_codes == ("A", "B") and ward.lsoa_count == 2
    assert ward.population == 4000
    assert ward.imd_rank_weighted_sum == 100 * 3000 + 300 * 1000
    assert ward.imd_rank_mean == Fraction(600_000, 4000) == 150
    assert ward.imd_rank_mean_2dp == Decimal("150.00")
    assert ward.imd_rank_min == 100
    assert ward.imd_decile_counts == (1, 1, 0, 0, 0, 0, 0, 0, 0, 0)
    assert ward.domain_rank_means.living_environment == 156
    assert ward.cni is None and ward.left_behind is None


def test_aggregate_wards_sorted_and_checked() -> None:
    geo2 = WardGeography("W0", "Ward Zero", "L1", "District", "R1", "Region")
    lsoas = [_lsoa("A", 5, 1, 10), _lsoa("B", 6, 1, 10, "W0"), _lsoa("C", 7, 1, 10, None)]
    wards = aggregate_wards(lsoas, {"W1": GEO, "W0": geo2})
    assert [w.code for w in wards] == ["W0", "W1"]
    with pytest.raises(ValueError, match="no geography"):
        aggregate_wards(lsoas, {"W1": GEO})
    with pytest.raises(ValueError, match="no LSOAs"):
        aggregate_ward(GEO, [], None)
