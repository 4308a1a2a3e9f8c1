"""Pure LSOA -> ward aggregation with exact integer population weighting."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .domains import Domains
from .model import CniMeasures, LsoaMeasures, WardMeasures


@dataclass(frozen=True, slots=True)
class WardGeography:
    """A ward's name, district and region (from the ONS lookups)."""

    code: str
    name: str
    lad_code: str
    lad_name: str
    region_code: str
    region_name: str


def weighted_sum(values: Iterable[int], weights: Iterable[int]) -> int:
    """Sum of value x weight over paired sequences of equal length (exact integers)."""
    return sum(v * w for v, w in zip(values, weights, strict=True))


def decile_counts(deciles: Iterable[int]) -> tuple[int, ...]:
    """Count of items in each decile 1..10, as a 10-tuple (index 0 = decile 1)."""
    counts = [0] * 10
    for decile in deciles:
        if not 1 <= decile <= 10:
            raise ValueError(f"decile {decile} outside 1..10")
        counts[decile - 1] += 1
    return tuple(counts)


def aggregate_ward(geo: WardGeography, lsoas: Sequence[LsoaMeasures], cni: CniMeasures | None) -> WardMeasures:
    """Aggregate one ward from its LSOAs: population-weighted rank sums, minimum rank, decile counts."""
    if not lsoas:
        raise ValueError(f"ward {geo.code} has no LSOAs")
    members = sorted(lsoas, key=lambda lsoa: lsoa.code)
    weights = [m.population for m in members]
    population = sum(weights)
    if population <= 0:
        raise ValueError(f"ward {geo.code} has no population")
    columns = zip(*(m.domain_ranks.values() for m in members), strict=True)
    domain_sums = Domains.of(weighted_sum(column, weights) for column in columns)
    return WardMeasures(
        code=geo.code,
        name=geo.name,
        lad_code=geo.lad_code,
        lad_name=geo.lad_name,
        region_code=geo.region_code,
        region_name=geo.region_name,
        population=population,
        lsoa_count=len(members),
        imd_rank_weighted_sum=weighted_sum((m.imd_rank for m in members), weights),
        imd_rank_min=min(m.imd_rank for m in members),
        imd_decile_counts=decile_counts(m.imd_decile for m in members),
        domain_rank_weighted_sums=domain_sums,
        cni=cni,
        left_behind=None if cni is None else cni.left_behind,
        lsoa_codes=tuple(m.code for m in members),
    )


def group_by_ward(lsoas: Iterable[LsoaMeasures]) -> dict[str, list[LsoaMeasures]]:
    """Group LSOAs by their ward code; LSOAs without a ward are left out."""
    groups: dict[str, list[LsoaMeasures]] = {}
    for lsoa in lsoas:
        if lsoa.ward_code is not None:
            groups.setdefault(lsoa.ward_code, []).append(lsoa)
    return groups


def aggregate_wards(
    lsoas: Iterable[LsoaMeasures],
    geography: Mapping[str, WardGeography],
    cni: Mapping[str, CniMeasures] | None = None,
) -> tuple[WardMeasures, ...]:
    """Aggregate every ward that has LSOAs, sorted by ward code; CNI is attached where a row exists."""
    groups = group_by_ward(lsoas)
    unknown = sorted(set(groups) - set(geography))
    if unknown:
        raise ValueError(f"LSOAs refer to wards with no geography: {', '.join(unknown[:5])}")
    return tuple(
        aggregate_ward(geography[code], groups[code], None if cni is None else cni.get(code)) for code in sorted(groups)
    )
