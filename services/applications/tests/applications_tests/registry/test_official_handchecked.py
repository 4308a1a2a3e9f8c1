"""Ward figures recomputed here by a separate, plain-csv route, and checked against the derived 225 list."""

from __future__ import annotations

import csv
import statistics
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from applications.adapters.registry import RegistryImport

from .reference_files import DERIVED_FILE

pytestmark = pytest.mark.reference_data
DOMAIN_RANK_COLUMNS = (
    "Income Rank (where 1 is most deprived)",
    "Employment Rank (where 1 is most deprived)",
    "Education, Skills and Training Rank (where 1 is most deprived)",
    "Health Deprivation and Disability Rank (where 1 is most deprived)",
    "Crime Rank (where 1 is most deprived)",
    "Barriers to Housing and Services Rank (where 1 is most deprived)",
    "Living Environment Rank (where 1 is most deprived)",
)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _num(text: str) -> int:
    return int(text.replace(",", ""))


def _raw_ward(data_dir: Path, ward: str) -> dict[str, object]:
    """Recompute a ward's figures straight from the raw files, without the package."""
    lookup = _rows(data_dir / "lookups/ons_lsoa11_ward17_lad17_ew.csv")
    codes = sorted(r["LSOA11CD"] for r in lookup if r["WD17CD"] == ward)
    f1 = {
        r["LSOA code (2011)"]: r for r in _rows(data_dir / "imd2019/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv")
    }
    f2 = {r["LSOA code (2011)"]: r for r in _rows(data_dir / "imd2019/File_2_-_IoD2019_Domains_of_Deprivation.csv")}
    f6 = {r["LSOA code (2011)"]: r for r in _rows(data_dir / "imd2019/File_6_-_IoD2019_Population_Denominators.csv")}
    pops = [_num(f6[c]["Total population: mid 2015 (excluding prisoners)"]) for c in codes]
    ranks = [_num(f1[c]["Index of Multiple Deprivation (IMD) Rank"]) for c in codes]
    deciles = [_num(f1[c]["Index of Multiple Deprivation (IMD) Decile"]) for c in codes]
    total = sum(pops)
    return {
        "codes": tuple(codes),
        "population": total,
        "rank_min": min(ranks),
        "decile_counts": tuple(deciles.count(d) for d in range(1, 11)),
        "mean": Fraction(sum(p * r for p, r in zip(pops, ranks, strict=True)), total),
        "domain_means": tuple(
            Fraction(sum(p * _num(f2[c][col]) for p, c in zip(pops, codes, strict=True)), total)
            for col in DOMAIN_RANK_COLUMNS
        ),
    }


@pytest.mark.parametrize(
    ("code", "name", "lad", "region", "lsoas", "rank_min", "in_decile1", "population"),
    [
        ("E05001595", "Norton South", "Halton", "North West", 5, 1084, 4, 6663),
        ("E05008741", "Meir North", "Stoke-on-Trent", "West Midlands", 4, 953, 3, 6865),
        ("E05009288", "Aldersgate", "City of London", "London", 1, 29199, 0, 1296),
    ],
)
def test_named_ward_by_hand(
    data_dir: Path,
    iod2019: RegistryImport,
    code: str,
    name: str,
    lad: str,
    region: str,
    lsoas: int,
    rank_min: int,
    in_decile1: int,
    population: int,
) -> None:
    ward = iod2019.wards_by_code[code]
    raw = _raw_ward(data_dir, code)
    # figures typed in by hand (left-behind ones as in the derived 225 list)
    assert (ward.name, ward.lad_name, ward.region_name) == (name, lad, region)
    assert (ward.lsoa_count, ward.imd_rank_min, ward.imd_decile_counts[0], ward.population) == (
        lsoas,
        rank_min,
        in_decile1,
        population,
    )
    # the same figures recomputed from the raw rows
    assert ward.lsoa_codes == raw["codes"]
    assert ward.population == raw["population"]
    assert ward.imd_rank_min == raw["rank_min"]
    assert ward.imd_decile_counts == raw["decile_counts"]
    assert ward.imd_rank_mean == raw["mean"]
    assert ward.domain_rank_means.values() == raw["domain_means"]
    mean = raw["mean"]
    assert isinstance(mean, Fraction)
    assert abs(ward.imd_rank_mean_2dp - Decimal(mean.numerator) / Decimal(mean.denominator)) <= Decimal("0.005")


def test_norton_south_exact_mean() -> None:
    """Worked by hand: pops x ranks of Norton South's five LSOAs sum to 30,443,180 over 6,663 residents."""
    from applications.adapters.registry import ratio_2dp

    assert ratio_2dp(30_443_180, 6_663) == Decimal("4568.99")


def test_all_225_match_derived_list(data_dir: Path, iod2019: RegistryImport) -> None:
    derived = _rows(data_dir / DERIVED_FILE)
    assert len(derived) == 225
    ours = {w.code: w for w in iod2019.left_behind_wards()}
    assert set(ours) == {r["ward17_code"] for r in derived}
    lsoa_rank = {lsoa.code: lsoa.imd_rank for lsoa in iod2019.lsoas}
    mismatches = []
    for row in derived:
        ward = ours[row["ward17_code"]]
        assert ward.cni is not None
        expected = (
            row["ward17_name"],
            row["lad_code_pre2019"],
            row["rgn17_code"],
            row["rgn17_name"],
            int(row["lsoa_count"]),
            int(row["imd2019_lsoa_rank_min"]),
            int(row["lsoas_in_imd_decile1"]),
            int(row["pop_mid2015"]),
            float(row["imd2019_lsoa_rank_median"]),
            Decimal(row["Community Needs Index score"]),
            int(row["Community Needs Index rank"]),
            Decimal(row["Civic Assets score"]),
            Decimal(row["Connectedness score"]),
            Decimal(row["Engaged community score"]),
        )
        actual = (
            ward.name,
            ward.lad_code,
            ward.region_code,
            ward.region_name,
            ward.lsoa_count,
            ward.imd_rank_min,
            ward.imd_decile_counts[0],
            ward.population,
            float(statistics.median(lsoa_rank[c] for c in ward.lsoa_codes)),
            ward.cni.score,
            ward.cni.rank,
            ward.cni.civic_assets_score,
            ward.cni.connectedness_score,
            ward.cni.engaged_community_score,
        )
        if actual != expected:
            mismatches.append((row["ward17_code"], actual, expected))
    assert mismatches == []
    assert sum(w.population for w in ours.values()) == 2_334_856
