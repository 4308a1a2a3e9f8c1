"""IoD2025 (LSOA 2021) brought to 2017 wards through the ONS LSOA 2011 -> 2021 best-fit lookup.

Each 2011 LSOA has exactly one best-fit 2021 LSOA. A ward's LSOA21s are the distinct best-fits of its LSOA11s;
its IoD2025 measures are the unweighted means of their published scores (no 2021 population denominators are
held, so the mean is population-free), rounded half-even to 3 dp, the precision the scores are published at.
A 2021 LSOA split off a 2011 one without being its best fit belongs to no ward; one that several 2011 LSOAs
of different wards merged into counts in each of those wards.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from .csvread import CsvFile, RegistryFileError, read_csv
from .domains import Domains
from .model import Lsoa21Measures, WardMeasures
from .sources import BRIDGE, by_code

METHOD_BRIDGE = "lsoa21-bestfit-unweighted-mean-v1"


@dataclass(frozen=True, slots=True)
class WardIod2025:
    """A ward's IoD2025 measures over its LSOA21s."""

    lsoa21_codes: tuple[str, ...]
    imd_score_mean: Decimal
    domain_score_means: Domains[Decimal]


@dataclass(frozen=True)
class Iod2025Layer:
    """The IoD2025 part of a registry import: scores per LSOA21, the LSOA11 -> LSOA21 bridge, ward means."""

    lsoas: tuple[Lsoa21Measures, ...]
    bridge: Mapping[str, str]
    wards: Mapping[str, WardIod2025]


def mean_3dp(values: Sequence[Decimal]) -> Decimal:
    """The mean of published decimal scores, exact, rounded half-even to 3 dp."""
    if not values:
        raise ValueError("no values to average")
    thousandths = round(Fraction(sum(values, Decimal(0))) * 1000 / len(values))
    return Decimal(thousandths).scaleb(-3)


def read_bridge(root: Path, lsoa11: set[str], lsoa21: set[str]) -> tuple[dict[str, str], CsvFile]:
    """The England rows of the best-fit lookup; every IoD2019 LSOA once, every target in the IoD2025 file."""
    parsed = read_csv(root / BRIDGE, ("LSOA11CD", "LSOA21CD"))
    rows = by_code(parsed, "LSOA11CD", [r for r in parsed.rows if r.text("LSOA11CD").startswith("E01")])
    bridge: dict[str, str] = {}
    for code, row in rows.items():
        if code not in lsoa11:
            raise row.error(f"LSOA {code} is not in the IoD2019 files (different LSOA vintage?)")
        target = row.text("LSOA21CD")
        if target not in lsoa21:
            raise row.error(f"LSOA21 {target} (best fit of {code}) is not in the IoD2025 file")
        bridge[code] = target
    missing = sorted(lsoa11 - set(bridge))
    if missing:
        reason = f"{len(missing)} IoD2019 LSOA(s) have no best-fit LSOA21, first {missing[0]}"
        raise RegistryFileError(parsed.path, parsed.end_line(), reason)
    return bridge, parsed


def ward_iod2025(
    wards: Sequence[WardMeasures], bridge: Mapping[str, str], scores: Mapping[str, Lsoa21Measures]
) -> dict[str, WardIod2025]:
    """Each ward's IoD2025 means over the distinct best-fit LSOA21s of its LSOA11s."""
    out = {}
    for ward in wards:
        codes = tuple(sorted({bridge[code] for code in ward.lsoa_codes}))
        members = [scores[code] for code in codes]
        columns = zip(*(m.domains.values() for m in members), strict=True)
        out[ward.code] = WardIod2025(
            lsoa21_codes=codes,
            imd_score_mean=mean_3dp([m.imd.score for m in members]),
            domain_score_means=Domains.of(mean_3dp([s.score for s in column]) for column in columns),
        )
    return out
