"""The registry load command: one transaction, idempotent by inputs hash, file errors exit 2 and change nothing."""

import os
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from applications.adapters.orm import RegistryVintage
from applications.api import create_app
from applications.registry_load import main

from .kit import OPERATOR, counts, outbox_events

UPDATED = "grants.applications.neighbourhood-registry-updated.v1"


def in_force(sessions: Any) -> list[str]:
    with sessions() as session:
        return list(session.scalars(select(RegistryVintage.name).where(RegistryVintage.in_force.is_(True))))


def test_loading_the_synthetic_registry_puts_it_in_force(sessions: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--synthetic"]) == 0
    out = capsys.readouterr().out
    assert "loaded vintage synthetic-seed0-wards60 (synthetic" in out and "60 wards, 15 left behind" in out
    assert in_force(sessions) == ["synthetic-seed0-wards60"]
    rows = counts(sessions)
    assert (rows["neighbourhoods"], rows["neighbourhood_lsoas"]) == (60, 292)
    [(stream, envelope)] = outbox_events(sessions)
    payload = envelope["payload"]
    assert stream == UPDATED and (payload["ward_count"], payload["left_behind_count"], payload["synthetic"]) == (
        60,
        15,
        True,
    )


def test_reloading_the_same_inputs_changes_nothing_and_says_so(
    sessions: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["--synthetic"])
    before = counts(sessions)
    assert main(["--synthetic"]) == 0
    assert "already in force: nothing changed" in capsys.readouterr().out
    assert counts(sessions) == before


def test_a_new_vintage_replaces_the_old_and_the_old_can_be_reinstated(
    sessions: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["--synthetic"])
    main(["--synthetic", "--seed", "1", "--wards", "40"])
    assert in_force(sessions) == ["synthetic-seed1-wards40"]
    stored = counts(sessions)["neighbourhoods"]
    assert main(["--synthetic"]) == 0
    assert "reinstated vintage synthetic-seed0-wards60" in capsys.readouterr().out
    assert in_force(sessions) == ["synthetic-seed0-wards60"] and counts(sessions)["neighbourhoods"] == stored
    assert [s for s, _ in outbox_events(sessions)] == [UPDATED] * 3


def test_a_malformed_file_exits_2_naming_it_and_leaves_the_previous_vintage(
    sessions: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["--synthetic"])
    before = counts(sessions)
    broken = tmp_path / "data" / "imd2019" / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv"
    broken.parent.mkdir(parents=True)
    broken.write_text("LSOA code (2011),something else\nE01000001,1\n")
    assert main(["--dir", str(tmp_path / "data")]) == 2
    err = capsys.readouterr().err
    assert f"file {broken}, line 1: missing required column(s)" in err and "previous vintage stays in force" in err
    assert counts(sessions) == before and in_force(sessions) == ["synthetic-seed0-wards60"]


def test_a_missing_directory_exits_2(sessions: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--dir", str(tmp_path / "absent")]) == 2
    assert "reference data directory not found" in capsys.readouterr().err
    assert counts(sessions)["registry_vintages"] == 0


def test_the_command_needs_exactly_one_source(sessions: Any) -> None:
    for argv in ([], ["--synthetic", "--dir", "x"]):
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        assert exit_.value.code == 2


@pytest.mark.reference_data
def test_the_official_files_load_with_the_225_left_behind_wards(
    sessions: Any, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = os.environ.get("GRANTS_REFERENCE_DATA_DIR")
    if not folder:
        pytest.skip("GRANTS_REFERENCE_DATA_DIR is not set: point it at the folder holding imd2019/ and lookups/")
    assert main(["--dir", folder]) == 0
    out = capsys.readouterr().out
    assert "iod2019-cni2019-ward17 (official" in out and "225 left behind, 32844 LSOAs" in out
    with TestClient(create_app()) as client:
        flagged = client.get("/neighbourhoods?left_behind=true&limit=200", headers=OPERATOR).json()
        assert flagged["total"] == 225 and all(n["synthetic"] is False for n in flagged["items"])
        assert sum(n["imd_decile"] <= 2 for n in flagged["items"]) >= 150
        ward = client.get(f"/neighbourhoods/{flagged['items'][0]['code']}", headers=OPERATOR).json()
        assert len(ward["lsoa_codes"]) == ward["lsoa_count"] and sum(ward["imd_decile_counts"]) == ward["lsoa_count"]
    assert main(["--dir", folder]) == 0 and "nothing changed" in capsys.readouterr().out
