"""England's people by IMD decile and by region, and ward names, from the official files (GRANTS_REFERENCE_DATA_DIR).

Population: IoD2019 File 6 (mid-2015, per 2011 LSOA); decile: IoD2019 File 1's LSOA decile; region: the ONS
ward19 lookup's district -> region. The files are read once per folder and kept: they do not change while we run.
"""

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

FILE1 = "imd2019/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv"
FILE6 = "imd2019/File_6_-_IoD2019_Population_Denominators.csv"
WARD19_REGIONS = "lookups/ons_ward19_lad19_cty19_rgn19_ctry19_uk.csv"
WARD17_NAMES = "lookups/ons_ward17_lad17_uk.csv"
LSOA = "LSOA code (2011)"
DISTRICT = "Local Authority District code (2019)"
DECILE = "Index of Multiple Deprivation (IMD) Decile"
PEOPLE = "Total population: mid 2015 (excluding prisoners)"


@dataclass(frozen=True)
class Population:
    """England's people by IMD decile ("1".."10") and by region code, with the regions' names."""

    by_decile: dict[str, int]
    by_region: dict[str, int]
    region_names: dict[str, str]

    @property
    def total(self) -> int:
        """Everyone counted (the decile and region totals agree)."""
        return sum(self.by_decile.values())


@dataclass(frozen=True)
class Ward:
    """A ward's name and district, as the ONS lookup gives them."""

    code: str
    name: str
    district_name: str


def _rows(path: Path) -> list[dict[str, str]]:
    # The official CSVs start with a UTF-8 byte order mark and quote numbers with thousands separators.
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _count(text: str) -> int:
    return int(text.replace(",", "").strip())


@cache
def england_population(root: Path) -> Population:
    """People by decile and region, read once per reference data folder."""
    people = {row[LSOA]: _count(row[PEOPLE]) for row in _rows(root / FILE6)}
    regions: dict[str, tuple[str, str]] = {}
    for row in _rows(root / WARD19_REGIONS):
        regions.setdefault(row["LAD19CD"], (row["RGN19CD"], row["RGN19NM"]))
    by_decile: dict[str, int] = {}
    by_region: dict[str, int] = {}
    for row in _rows(root / FILE1):
        count = people[row[LSOA]]
        region, _ = regions[row[DISTRICT]]
        by_decile[row[DECILE].strip()] = by_decile.get(row[DECILE].strip(), 0) + count
        by_region[region] = by_region.get(region, 0) + count
    names = {code: name for code, name in regions.values() if code in by_region}
    return Population(by_decile, by_region, names)


@cache
def wards(root: Path) -> dict[str, Ward]:
    """England's wards (2017 codes, the Community Needs Index's) by code."""
    return {
        row["WD17CD"]: Ward(row["WD17CD"], row["WD17NM"], row["LAD17NM"])
        for row in _rows(root / WARD17_NAMES)
        if row["WD17CD"].startswith("E05")
    }


def population_or_none(root: Path | None) -> Population | None:
    """The population when reference data is configured and readable, else None (the dashboard says so)."""
    if root is None:
        return None
    try:
        return england_population(root)
    except (OSError, KeyError, ValueError):
        return None
