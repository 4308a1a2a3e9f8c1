"""Frozen records of the neighbourhood registry: LSOA and ward measures, CNI, data vintage.

Population-weighted mean ranks are kept EXACT: a ward stores the integer sum of population x rank over its
LSOAs, and its population; the mean is that ratio as a `Fraction` (`imd_rank_mean`), or rounded half-even to
2 dp with integer arithmetic as a `Decimal` (`imd_rank_mean_2dp`). No floats, so every run is byte-identical.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from typing import TYPE_CHECKING

from .domains import Domains, ratio_2dp

if TYPE_CHECKING:
    from .bridge import Iod2025Layer


@dataclass(frozen=True, slots=True)
class LsoaMeasures:
    """IoD2019 measures of one 2011 LSOA (Files 1, 2 and 6) and the 2017 ward it lies in."""

    code: str
    name: str
    lad19_code: str  # district as published in IoD2019 File 1 (2019 boundaries)
    lad19_name: str
    imd_rank: int  # 1 = most deprived; 26 ranks are tied in IoD2019 (ties are kept as published)
    imd_decile: int
    domain_ranks: Domains[int]
    domain_deciles: Domains[int]
    population: int  # total mid-2015 population excluding prisoners (File 6)
    ward_code: str | None


@dataclass(frozen=True, slots=True)
class CniMeasures:
    """Community Needs Index 2019 for one ward (OCSI / Local Trust), with the official left-behind flag."""

    score: Decimal
    rank: int
    civic_assets_score: Decimal
    civic_assets_rank: int
    connectedness_score: Decimal
    connectedness_rank: int
    engaged_community_score: Decimal
    engaged_community_rank: int
    left_behind: bool


@dataclass(frozen=True, slots=True)
class WardMeasures:
    """A ward with IoD measures aggregated from its LSOAs, its district, region and (if held) CNI."""

    code: str
    name: str
    lad_code: str  # district of the same vintage as the ward code (LAD17 for iod2019-ward17)
    lad_name: str
    region_code: str
    region_name: str
    population: int
    lsoa_count: int
    imd_rank_weighted_sum: int  # sum over LSOAs of population x IMD rank
    imd_rank_min: int
    imd_decile_counts: tuple[int, ...]  # ten counts; index 0 = LSOAs in decile 1 (most deprived)
    domain_rank_weighted_sums: Domains[int]
    cni: CniMeasures | None  # None when no CNI file was given or the CNI does not cover this ward
    left_behind: bool | None  # official OCSI flag; None when there is no CNI row for the ward
    lsoa_codes: tuple[str, ...]

    @property
    def imd_rank_mean(self) -> Fraction:
        """Exact population-weighted mean IMD rank."""
        return Fraction(self.imd_rank_weighted_sum, self.population)

    @property
    def imd_rank_mean_2dp(self) -> Decimal:
        """Population-weighted mean IMD rank rounded half-even to 2 dp."""
        return ratio_2dp(self.imd_rank_weighted_sum, self.population)

    @property
    def domain_rank_means(self) -> Domains[Fraction]:
        """Exact population-weighted mean rank per domain."""
        return Domains.of(Fraction(s, self.population) for s in self.domain_rank_weighted_sums.values())

    @property
    def domain_rank_means_2dp(self) -> Domains[Decimal]:
        """Population-weighted mean rank per domain rounded half-even to 2 dp."""
        return Domains.of(ratio_2dp(s, self.population) for s in self.domain_rank_weighted_sums.values())


@dataclass(frozen=True, slots=True)
class ScoredMeasure:
    """A score with its rank and decile (IoD2025 publishes all three)."""

    score: Decimal
    rank: int
    decile: int


@dataclass(frozen=True, slots=True)
class Lsoa21Measures:
    """IoD2025 measures of one 2021 LSOA: the IMD and the seven domains."""

    code: str
    imd: ScoredMeasure
    domains: Domains[ScoredMeasure]


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One input file: its path relative to the data directory, the sha256 of its bytes, its data rows."""

    name: str
    sha256: str
    rows: int


@dataclass(frozen=True, slots=True)
class Vintage:
    """Which data a registry came from; `inputs_hash` changes when any input byte or the method changes."""

    name: str
    method: str
    sources: tuple[SourceFile, ...]
    inputs_hash: str

    @property
    def is_synthetic(self) -> bool:
        """True for made-up registries (names starting "synthetic-"), never for official data."""
        return self.name.startswith("synthetic-")

    @classmethod
    def build(cls, name: str, method: str, sources: Iterable[SourceFile]) -> Vintage:
        """Make a vintage, hashing its name, method and sources (sorted by file name) canonically."""
        ordered = tuple(sorted(sources, key=lambda s: s.name))
        canonical = json.dumps(
            {"name": name, "method": method, "sources": [[s.name, s.sha256, s.rows] for s in ordered]},
            sort_keys=True,
            separators=(",", ":"),
        )
        return cls(name, method, ordered, hashlib.sha256(canonical.encode()).hexdigest())


@dataclass(frozen=True)
class RegistryImport:
    """A loaded registry: its vintage, LSOAs and wards sorted by code, CNI wards with no LSOA, IoD2025 if held."""

    vintage: Vintage
    lsoas: tuple[LsoaMeasures, ...]
    wards: tuple[WardMeasures, ...]
    unmatched_cni_wards: tuple[str, ...] = ()
    iod2025: Iod2025Layer | None = None

    @cached_property
    def wards_by_code(self) -> Mapping[str, WardMeasures]:
        """Wards indexed by code."""
        return {w.code: w for w in self.wards}

    def left_behind_wards(self) -> tuple[WardMeasures, ...]:
        """The wards flagged left behind, in code order."""
        return tuple(w for w in self.wards if w.left_behind)


@dataclass(frozen=True)
class Lsoa21Import:
    """A loaded IoD2025 file: its vintage and 2021 LSOAs sorted by code."""

    vintage: Vintage
    lsoas: tuple[Lsoa21Measures, ...]
