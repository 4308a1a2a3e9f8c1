"""Load the official IoD2019 / CNI2019 / ONS files (as a fund downloads them) and IoD2025 LSOA21 file."""

from __future__ import annotations

from pathlib import Path

from .aggregate import aggregate_wards
from .csvread import CsvFile, RegistryFileError, read_csv
from .domains import Domains
from .model import (
    Lsoa21Import,
    Lsoa21Measures,
    LsoaMeasures,
    RegistryImport,
    ScoredMeasure,
    SourceFile,
    Vintage,
)
from .sources import (
    FILE1,
    FILE2,
    FILE6,
    IOD2019_LSOAS,
    IOD2025,
    IOD2025_LSOAS,
    by_code,
    read_cni,
    read_ward_geography,
)

METHOD_2019 = "lsoa11-to-ward17-population-weighted-v1"
METHOD_2025 = "as-published-v1"
_IMD = "Index of Multiple Deprivation (IMD)"
_CODE, _NAME = "LSOA code (2011)", "LSOA name (2011)"
_LAD, _LADNM = "Local Authority District code (2019)", "Local Authority District name (2019)"
_F1_RANK, _F1_DEC = _IMD + " Rank", _IMD + " Decile"
_RANK, _DEC = " Rank (where 1 is most deprived)", " Decile (where 1 is most deprived 10% of LSOAs)"
_F2_DOMAINS = (
    "Income",
    "Employment",
    "Education, Skills and Training",
    "Health Deprivation and Disability",
    "Crime",
    "Barriers to Housing and Services",
    "Living Environment",
)
_F2_RANK, _F2_DEC = _IMD + _RANK, _IMD + _DEC
_F6_POP = "Total population: mid 2015 (excluding prisoners)"
_2025 = ("IMD", "Income", "Employment", "Education", "Health", "Crime", "Housing_and_Services", "Environment")


def _source(root: Path, parsed: CsvFile) -> SourceFile:
    return SourceFile(parsed.path.relative_to(root).as_posix(), parsed.sha256, len(parsed.rows))


def _same_lsoas(other: CsvFile, first: CsvFile, codes: set[str]) -> None:
    """Refuse `other` unless it holds exactly the LSOAs of `first` (File 1)."""
    mine = by_code(other, _CODE)
    extra = sorted(set(mine) - codes)
    if extra:
        raise mine[extra[0]].error(f"LSOA {extra[0]} is not in {first.path.name}")
    missing = sorted(codes - set(mine))
    if missing:
        raise RegistryFileError(
            other.path,
            other.end_line(),
            f"file has {len(other.rows)} rows but {first.path.name} has {len(first.rows)}; "
            f"missing {len(missing)} LSOA(s), first {missing[0]}",
        )


def load_iod2019(data_dir: Path | str, *, expected_lsoas: int | None = IOD2019_LSOAS) -> RegistryImport:
    """Join IoD2019 Files 1, 2, 6, the ONS LSOA11->WD17->LAD17->region lookups and (if present) CNI 2019."""
    root = Path(data_dir)
    if not root.is_dir():
        raise RegistryFileError(root, None, "reference data directory not found")
    f1 = read_csv(root / FILE1, (_CODE, _NAME, _LAD, _LADNM, _F1_RANK, _F1_DEC))
    rows1 = by_code(f1, _CODE)
    f1.expect_rows(expected_lsoas)
    n = len(f1.rows)
    f2 = read_csv(
        root / FILE2,
        (_CODE, _F2_RANK, _F2_DEC, *(d + s for d in _F2_DOMAINS for s in (_RANK, _DEC))),
    )
    f6 = read_csv(root / FILE6, (_CODE, _F6_POP))
    _same_lsoas(f2, f1, set(rows1))
    _same_lsoas(f6, f1, set(rows1))
    rows2, rows6 = by_code(f2, _CODE), by_code(f6, _CODE)
    geography, ward_of, geo_files = read_ward_geography(root, set(rows1))
    cni_file, cni = read_cni(root, geography)
    lsoas = []
    for code in sorted(rows1):
        r1, r2 = rows1[code], rows2[code]
        rank, decile = r1.integer(_F1_RANK, minimum=1, maximum=n), r1.integer(_F1_DEC, minimum=1, maximum=10)
        if (r2.integer(_F2_RANK), r2.integer(_F2_DEC)) != (rank, decile):
            raise r2.error(f"IMD rank/decile of {code} differ from {f1.path.name} line {r1.line}")
        lsoas.append(
            LsoaMeasures(
                code=code,
                name=r1.text(_NAME),
                lad19_code=r1.text(_LAD),
                lad19_name=r1.text(_LADNM),
                imd_rank=rank,
                imd_decile=decile,
                domain_ranks=Domains.of(r2.integer(d + _RANK, minimum=1, maximum=n) for d in _F2_DOMAINS),
                domain_deciles=Domains.of(r2.integer(d + _DEC, minimum=1, maximum=10) for d in _F2_DOMAINS),
                population=rows6[code].integer(_F6_POP, minimum=1),
                ward_code=ward_of[code],
            )
        )
    wards = aggregate_wards(lsoas, geography, None if cni_file is None else cni)
    parsed = [f1, f2, f6, *geo_files, *([cni_file] if cni_file else [])]
    name = "iod2019-cni2019-ward17" if cni_file else "iod2019-ward17"
    vintage = Vintage.build(name, METHOD_2019, (_source(root, p) for p in parsed))
    unmatched = tuple(sorted(set(cni) - set(geography)))
    return RegistryImport(vintage, tuple(lsoas), wards, unmatched)


def load_iod2025_lsoa21(data_dir: Path | str, *, expected_lsoas: int | None = IOD2025_LSOAS) -> Lsoa21Import:
    """Read the IoD2025 file on 2021 LSOAs: IMD and seven domain scores, ranks and deciles, as published."""
    root = Path(data_dir)
    if not root.is_dir():
        raise RegistryFileError(root, None, "reference data directory not found")
    columns = [f"{m}_{k}" for m in _2025 for k in ("score", "rank", "decile")]
    parsed = read_csv(root / IOD2025, ("lsoa21_code", *columns))
    rows = by_code(parsed, "lsoa21_code")
    parsed.expect_rows(expected_lsoas)
    n = len(parsed.rows)
    lsoas = []
    for code in sorted(rows):
        row = rows[code]
        measures = [
            ScoredMeasure(
                row.decimal(f"{m}_score"),
                row.integer(f"{m}_rank", minimum=1, maximum=n),
                row.integer(f"{m}_decile", minimum=1, maximum=10),
            )
            for m in _2025
        ]
        lsoas.append(Lsoa21Measures(code, measures[0], Domains.of(measures[1:])))
    vintage = Vintage.build("iod2025-lsoa21", METHOD_2025, [_source(root, parsed)])
    return Lsoa21Import(vintage, tuple(lsoas))
