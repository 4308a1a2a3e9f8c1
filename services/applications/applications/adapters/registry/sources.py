"""Official file locations and readers for the ONS ward/district/region lookups and the CNI 2019 file."""

from __future__ import annotations

from pathlib import Path

from .aggregate import WardGeography
from .csvread import CsvFile, CsvRow, RegistryFileError, read_csv
from .model import CniMeasures

FILE1 = "imd2019/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv"
FILE2 = "imd2019/File_2_-_IoD2019_Domains_of_Deprivation.csv"
FILE6 = "imd2019/File_6_-_IoD2019_Population_Denominators.csv"
LSOA_WARD_LOOKUP = "lookups/ons_lsoa11_ward17_lad17_ew.csv"
LAD_REGION_LOOKUP = "lookups/ons_lad17_rgn17_en.csv"
CNI2019 = "cni_left_behind/cni2019_england_ward17.csv"
IOD2025 = "imd2025/imd2025_england_lsoa21.csv"
BRIDGE = "lookups/ons_lsoa11_to_lsoa21_lad22_bestfit_ew_v2.csv"
IOD2019_LSOAS = 32_844  # LSOAs (2011) in England
IOD2025_LSOAS = 33_755  # LSOAs (2021) in England
_CNI = (
    "Community Needs Index",
    "Civic Assets",
    "Connectedness",
    "Engaged community",
)


def by_code(parsed: CsvFile, column: str, rows: list[CsvRow] | None = None) -> dict[str, CsvRow]:
    """Index rows by a code column, refusing a repeated code."""
    index: dict[str, CsvRow] = {}
    for row in parsed.rows if rows is None else rows:
        code = row.text(column)
        if code in index:
            raise row.error(f"duplicate code {code} in column {column!r} (first on line {index[code].line})")
        index[code] = row
    return index


def read_ward_geography(
    root: Path, lsoa_codes: set[str]
) -> tuple[dict[str, WardGeography], dict[str, str], list[CsvFile]]:
    """Read LSOA11->WD17->LAD17 (England rows) and LAD17->region; every LSOA must map to a ward and region."""
    lookup = read_csv(root / LSOA_WARD_LOOKUP, ("LSOA11CD", "WD17CD", "WD17NM", "LAD17CD", "LAD17NM"))
    regions_file = read_csv(root / LAD_REGION_LOOKUP, ("LAD17CD", "LAD17NM", "RGN17CD", "RGN17NM"))
    regions = by_code(regions_file, "LAD17CD")
    english = by_code(lookup, "LSOA11CD", [r for r in lookup.rows if r.text("LSOA11CD").startswith("E01")])
    missing = sorted(lsoa_codes - set(english))
    if missing:
        raise RegistryFileError(
            lookup.path, lookup.end_line(), f"{len(missing)} IoD LSOA(s) missing, first {missing[0]}"
        )
    geography: dict[str, WardGeography] = {}
    ward_of: dict[str, str] = {}
    for code, row in english.items():
        if code not in lsoa_codes:
            raise row.error(f"LSOA {code} is not in the IoD files (different LSOA vintage?)")
        ward, lad = row.text("WD17CD"), row.text("LAD17CD")
        region = regions.get(lad)
        if region is None:
            raise row.error(f"district {lad} has no region in {regions_file.path.name}")
        geo = WardGeography(
            ward, row.text("WD17NM"), lad, row.text("LAD17NM"), region.text("RGN17CD"), region.text("RGN17NM")
        )
        known = geography.setdefault(ward, geo)
        if known != geo:
            raise row.error(f"ward {ward} has inconsistent name, district or region across rows")
        ward_of[code] = ward
    return geography, ward_of, [lookup, regions_file]


def _cni_row(row: CsvRow) -> CniMeasures:
    (score, rank), *domains = [(row.decimal(f"{c} score"), row.integer(f"{c} rank", minimum=1)) for c in _CNI]
    (civic, civic_rank), (connected, connected_rank), (engaged, engaged_rank) = domains
    return CniMeasures(
        score,
        rank,
        civic,
        civic_rank,
        connected,
        connected_rank,
        engaged,
        engaged_rank,
        row.flag("Left Behind Area?"),
    )


def read_cni(root: Path, geography: dict[str, WardGeography]) -> tuple[CsvFile | None, dict[str, CniMeasures]]:
    """Read CNI 2019 by ward17 when the file is present; its lad19_code column holds LAD17 codes."""
    path = root / CNI2019
    if not path.exists():
        return None, {}
    columns = [f"{c} {k}" for c in _CNI for k in ("score", "rank")]
    parsed = read_csv(path, ("ward17_code", "lad19_code", *columns, "Left Behind Area?"))
    measures: dict[str, CniMeasures] = {}
    for code, row in by_code(parsed, "ward17_code").items():
        measures[code] = cni = _cni_row(row)
        geo = geography.get(code)
        lad = row.text("lad19_code")
        if geo is not None and geo.lad_code != lad:
            raise row.error(f"ward {code} is in district {geo.lad_code} in the ONS lookup, not {lad}")
        if geo is None and cni.left_behind:
            raise row.error(f"left-behind ward {code} has no LSOA in {LSOA_WARD_LOOKUP}")
    return parsed, measures
