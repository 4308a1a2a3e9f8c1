"""`grants data import` on copies of the official files: the 225, IoD2025 through the LSOA bridge, refusals."""

import csv
import os
import shutil
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from applications.adapters.registry.reference import OPTIONAL, REQUIRED
from applications.adapters.registry.sources import BRIDGE, IOD2025
from applications.api import create_app
from applications.registry_load import main

from .kit import OPERATOR, counts
from .test_registry_load import in_force

pytestmark = pytest.mark.reference_data
VINTAGE = "iod2019-cni2019-ward17+iod2025-lsoa21"
NORTON_SOUTH, BETHNAL_GREEN, ST_DUNSTANS, SHARED = "E05001595", "E05009317", "E05009329", "E01035670"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A writable copy of the official files an import reads."""
    source = os.environ.get("GRANTS_REFERENCE_DATA_DIR")
    if not source:
        pytest.skip("GRANTS_REFERENCE_DATA_DIR is not set: point it at the folder holding imd2019/ and lookups/")
    root = tmp_path / "data"
    for name in (*REQUIRED, *OPTIONAL):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(Path(source) / name, root / name)
    return root


def load(folder: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    start = time.perf_counter()
    code = main(["--dir", str(folder), "--no-progress"])
    seconds = time.perf_counter() - start
    out = capsys.readouterr()
    with capsys.disabled():
        print(f"\n[registry] import with IoD2025: {seconds:.1f} s (exit {code}; {out.out.strip() or 'refused'})")
    return code, out.out, out.err


def plain_means(folder: Path, wards: tuple[str, ...]) -> dict[str, tuple[Fraction, set[str]]]:
    """Each ward's mean IoD2025 IMD score and LSOA21s straight from the CSVs, without the package."""

    def rows(name: str) -> list[dict[str, str]]:
        with (folder / name).open(encoding="utf-8-sig", newline="") as handle:
            return list(csv.DictReader(handle))

    ward_of = {r["LSOA11CD"]: r["WD17CD"] for r in rows("lookups/ons_lsoa11_ward17_lad17_ew.csv")}
    lsoa21: dict[str, set[str]] = {w: set() for w in wards}
    for r in rows(BRIDGE):
        if ward_of.get(r["LSOA11CD"]) in lsoa21:
            lsoa21[ward_of[r["LSOA11CD"]]].add(r["LSOA21CD"])
    score = {r["lsoa21_code"]: Fraction(r["IMD_score"]) for r in rows(IOD2025)}
    return {w: (sum((score[c] for c in codes), Fraction(0)) / len(codes), codes) for w, codes in lsoa21.items()}


def check_wards(client: TestClient, folder: Path) -> None:
    wards = {c: client.get(f"/neighbourhoods/{c}", headers=OPERATOR).json() for c in (NORTON_SOUTH, ST_DUNSTANS)}
    norton, dunstans = wards[NORTON_SOUTH]["iod2025"], wards[ST_DUNSTANS]["iod2025"]
    # By hand: (57.129 + 48.137 + 64.605 + 42.479 + 16.364) / 5 = 45.7428; incomes 2.263 / 5 = 0.4526.
    assert (norton["lsoa21_count"], norton["imd_score_mean"], norton["domain_score_means"]["income"]) == (
        5,
        45.743,
        0.453,
    )
    assert dunstans["imd_score_mean"] == 34.226  # 205.353 / 6 = 34.2255, a tie, to the even thousandth
    for code, (mean, lsoa21) in plain_means(folder, (NORTON_SOUTH, BETHNAL_GREEN, ST_DUNSTANS)).items():
        body = client.get(f"/neighbourhoods/{code}", headers=OPERATOR).json()
        to_3dp = float(Fraction(round(mean * 1000), 1000))  # Fraction rounds half to even, exactly
        assert body["iod2025"]["imd_score_mean"] == to_3dp == body["iod2025_imd_score_mean"]
        assert {x["code"] for x in body["iod2025"]["lsoa21s"]} == lsoa21
        assert sorted(f for x in body["iod2025"]["lsoa21s"] for f in x["best_fit_of"]) == body["lsoa_codes"]
        assert len(body["lsoa_codes"]) == body["lsoa_count"] == sum(body["imd_decile_counts"])
        assert (SHARED in lsoa21) is (code != NORTON_SOUTH), "a merged LSOA21 counts in each ward it came from"


def test_the_import_brings_iod2025_through_the_bridge_and_reimporting_changes_nothing(
    sessions: Any, folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = load(folder, capsys)
    assert code == 0 and f"loaded vintage {VINTAGE} (official" in out and "33755 LSOAs 2021 (IoD2025)" in out
    rows = counts(sessions)
    assert (rows["lsoa21_scores"], rows["lsoa_bridge"], rows["neighbourhood_lsoas"]) == (33_755, 32_844, 32_844)
    with TestClient(create_app()) as client:
        flagged = client.get("/neighbourhoods?left_behind=true&limit=200", headers=OPERATOR).json()
        assert flagged["total"] == 225 and all(n["synthetic"] is False for n in flagged["items"])
        assert sum(n["imd_decile"] <= 2 for n in flagged["items"]) >= 150
        check_wards(client, folder)
        [vintage] = client.get("/registry/vintages", headers=OPERATOR).json()["items"]
        assert (vintage["lsoa21_count"], vintage["left_behind_count"]) == (33_755, 225)
        assert {s["name"] for s in vintage["sources"]} == {*REQUIRED, *OPTIONAL}
    code, out, _ = load(folder, capsys)
    assert code == 0 and "already in force: nothing changed" in out and counts(sessions) == rows


def _edit_line(path: Path, number: int, old: str, new: str) -> None:
    lines = path.read_bytes().split(b"\n")
    assert old.encode() in lines[number - 1]
    lines[number - 1] = lines[number - 1].replace(old.encode(), new.encode(), 1)
    path.write_bytes(b"\n".join(lines))


def test_a_malformed_iod2025_file_or_bridge_leaves_the_previous_vintage_in_force(
    sessions: Any, folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--synthetic", "--no-progress"]) == 0
    capsys.readouterr()
    before = counts(sessions)
    pristine = (folder / BRIDGE).read_bytes()
    _edit_line(folder / BRIDGE, 3, "001B,E01000002,City of London 001B,E09", "001B,E01099999,City of London 001B,E09")
    code, _, err = load(folder, capsys)
    assert code == 2 and f"{BRIDGE}, line 3: LSOA21 E01099999 (best fit of E01000002) is not in the IoD2025" in err
    (folder / BRIDGE).write_bytes(pristine)
    _edit_line(folder / IOD2025, 2, ",8.742,", ",8.7.42,")
    code, _, err = load(folder, capsys)
    assert code == 2 and f"{IOD2025}, line 2: non-numeric value '8.7.42' in column 'IMD_score'" in err
    (folder / BRIDGE).unlink()
    code, _, err = load(folder, capsys)
    assert code == 2 and f"{BRIDGE}, line -: missing: {IOD2025} is held" in err
    assert counts(sessions) == before and in_force(sessions) == ["synthetic-seed0-wards60"]
