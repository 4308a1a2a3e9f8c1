"""Counts, shapes and vintage of the real IoD2019 / CNI2019 / IoD2025 imports."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from applications.adapters.registry import Lsoa21Import, RegistryImport, load_iod2019

from .reference_files import IOD2019_FILES

pytestmark = pytest.mark.reference_data


def test_full_import_time_is_reported(
    iod2019: RegistryImport, iod2025: Lsoa21Import, import_seconds: dict[str, float], capsys: pytest.CaptureFixture[str]
) -> None:
    with capsys.disabled():
        for name, seconds in import_seconds.items():
            print(f"\n[registry] {name}: {seconds:.2f} s")
    assert set(import_seconds) == {"load_iod2019", "load_iod2025_lsoa21"}


def test_lsoa_2011_count_and_order(iod2019: RegistryImport) -> None:
    codes = [lsoa.code for lsoa in iod2019.lsoas]
    assert len(codes) == 32_844
    assert codes == sorted(set(codes))
    assert all(code.startswith("E01") for code in codes)
    assert all(lsoa.ward_code is not None for lsoa in iod2019.lsoas)


def test_ward_shapes(iod2019: RegistryImport) -> None:
    wards = iod2019.wards
    assert [w.code for w in wards] == sorted({w.code for w in wards})
    assert len(wards) == 7_427  # England ward17 codes holding at least one LSOA11
    assert sum(w.lsoa_count for w in wards) == 32_844
    assert sum(w.population for w in wards) == sum(lsoa.population for lsoa in iod2019.lsoas)
    for ward in wards:
        assert ward.lsoa_count == len(ward.lsoa_codes) == sum(ward.imd_decile_counts) > 0
        assert ward.region_code.startswith("E12") and ward.region_name
        assert ward.lad_code[:3] in {"E06", "E07", "E08", "E09"}
        assert 1 <= ward.imd_rank_min <= ward.imd_rank_mean <= 32_844
    assert len({w.region_code for w in wards}) == 9


def test_exactly_225_left_behind_wards_each_complete(iod2019: RegistryImport) -> None:
    left_behind = iod2019.left_behind_wards()
    assert len(left_behind) == 225
    for ward in left_behind:
        assert ward.cni is not None and ward.cni.left_behind
        assert ward.region_code.startswith("E12") and ward.region_name
        assert ward.population > 0
        assert ward.lsoa_count >= 1 and ward.lsoa_codes


def test_cni_coverage_is_explicit(iod2019: RegistryImport) -> None:
    assert iod2019.vintage.name == "iod2019-cni2019-ward17" and not iod2019.vintage.is_synthetic
    # 12 CNI wards have no LSOA11 in the ONS lookup; 6 ward17s with LSOAs have no CNI row (City of London etc.)
    assert len(iod2019.unmatched_cni_wards) == 12
    assert not set(iod2019.unmatched_cni_wards) & set(iod2019.wards_by_code)
    uncovered = [w for w in iod2019.wards if w.cni is None]
    assert len(uncovered) == 6 and all(w.left_behind is None for w in uncovered)
    assert iod2019.wards_by_code["E05009288"].name == "Aldersgate" in [w.name for w in uncovered]


def test_lsoa_2021_count_and_spot_values(iod2025: Lsoa21Import) -> None:
    assert len(iod2025.lsoas) == 33_755
    assert [x.code for x in iod2025.lsoas] == sorted({x.code for x in iod2025.lsoas})
    first = iod2025.lsoas[0]
    assert first.code == "E01000001"
    assert (first.imd.score, first.imd.rank, first.imd.decile) == (Decimal("8.742"), 26525, 8)
    assert first.domains.health.score == Decimal("-1.771")
    assert sorted(x.imd.rank for x in iod2025.lsoas) == list(range(1, 33_756))
    assert iod2025.vintage.name == "iod2025-lsoa21"


def test_vintage_sources_match_manifest_checksums(data_dir: Path, iod2019: RegistryImport) -> None:
    manifest_path = data_dir / "MANIFEST.json"
    if not manifest_path.is_file():
        pytest.skip("no MANIFEST.json beside the reference data")
    manifest = {entry["path"]: entry for entry in json.loads(manifest_path.read_text())}
    assert len(iod2019.vintage.sources) == 6
    for source in iod2019.vintage.sources:
        assert source.sha256 == manifest[source.name]["sha256"], source.name


def test_reimport_gives_identical_vintage_and_records(data_dir: Path, iod2019: RegistryImport) -> None:
    again = load_iod2019(data_dir)
    assert again.vintage == iod2019.vintage
    assert again.vintage.inputs_hash == iod2019.vintage.inputs_hash
    assert again == iod2019


def test_vintage_hash_ignores_location_but_not_content(data_copy: Path, iod2019: RegistryImport) -> None:
    moved = load_iod2019(data_copy)
    assert moved.vintage.inputs_hash == iod2019.vintage.inputs_hash
    (data_copy / "cni_left_behind/cni2019_england_ward17.csv").unlink()
    without_cni = load_iod2019(data_copy)
    assert without_cni.vintage.name == "iod2019-ward17"
    assert without_cni.vintage.inputs_hash != iod2019.vintage.inputs_hash
    assert len(without_cni.vintage.sources) == len(IOD2019_FILES)
    assert all(w.cni is None and w.left_behind is None for w in without_cni.wards)
    assert [w.population for w in without_cni.wards] == [w.population for w in iod2019.wards]
    lsoa_file = data_copy / IOD2019_FILES[0]
    lsoa_file.write_bytes(lsoa_file.read_bytes() + b"\r\n")  # same rows, one more byte
    assert load_iod2019(data_copy).vintage.inputs_hash != without_cni.vintage.inputs_hash
