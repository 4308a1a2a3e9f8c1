"""The registry load command: one transaction, idempotent by inputs hash, file errors exit 2 and change nothing."""

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from applications.adapters.orm import RegistryVintage
from applications.registry_load import main

from .kit import counts, outbox_events

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
