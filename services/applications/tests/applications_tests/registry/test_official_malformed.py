"""Modified copies of the real files are refused with the file, line and reason."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from applications.adapters.registry import RegistryFileError, load_iod2019, load_iod2025_lsoa21

from .reference_files import CNI_FILE, IOD2019_FILES, IOD2025_FILE

pytestmark = pytest.mark.reference_data
FILE1, FILE2, FILE6, LOOKUP, REGIONS = IOD2019_FILES


def _edit_line(path: Path, line_number: int, edit: Callable[[str], str]) -> None:
    """Rewrite one physical line (1-based) of a file, keeping its BOM and line endings."""
    lines = path.read_bytes().decode("utf-8").split("\n")
    changed = edit(lines[line_number - 1])
    assert changed != lines[line_number - 1], "the edit did not change the line"
    lines[line_number - 1] = changed
    path.write_bytes("\n".join(lines).encode("utf-8"))


def _refused(load: Callable[[Path], object], root: Path) -> RegistryFileError:
    with pytest.raises(RegistryFileError) as caught:
        load(root)
    return caught.value


def test_non_numeric_rank(data_copy: Path) -> None:
    _edit_line(data_copy / FILE1, 5, lambda line: line.replace('"8,678"', "n/a"))
    error = _refused(load_iod2019, data_copy)
    assert error.path.name == Path(FILE1).name and error.line_number == 5
    assert "non-numeric" in error.reason and "'n/a'" in error.reason and "Rank" in error.reason
    assert f"{Path(FILE1).name}:5:" in str(error)


def test_rank_out_of_range(data_copy: Path) -> None:
    _edit_line(data_copy / FILE2, 3, lambda line: line.replace(",30379,10,", ",99999,10,", 1))
    error = _refused(load_iod2019, data_copy)
    assert (error.path.name, error.line_number) == (Path(FILE2).name, 3)


def test_file2_disagreeing_with_file1(data_copy: Path) -> None:
    _edit_line(data_copy / FILE2, 2, lambda line: line.replace(",29199,9,", ",29198,9,", 1))
    error = _refused(load_iod2019, data_copy)
    assert (error.path.name, error.line_number) == (Path(FILE2).name, 2)
    assert "differ" in error.reason


def test_truncated_at_a_line_boundary(data_copy: Path) -> None:
    path = data_copy / FILE6
    path.write_bytes(b"\n".join(path.read_bytes().split(b"\n")[:1001]))
    error = _refused(load_iod2019, data_copy)
    assert (error.path.name, error.line_number) == (Path(FILE6).name, 1002)
    assert "1000 rows" in error.reason and "32844" in error.reason and "missing" in error.reason


def test_truncated_mid_row(data_copy: Path) -> None:
    path = data_copy / FILE6
    data = path.read_bytes()
    cut = data.index(b"\n", len(data) // 2) + 25  # 25 bytes into a row
    path.write_bytes(data[:cut])
    error = _refused(load_iod2019, data_copy)
    assert error.path.name == Path(FILE6).name
    assert error.line_number == data[:cut].count(b"\n") + 1
    assert "fields" in error.reason or "malformed" in error.reason


def test_truncated_file1_short_of_official_count(data_copy: Path) -> None:
    path = data_copy / FILE1
    path.write_bytes(path.read_bytes().rsplit(b"\r\n", 1)[0])  # drop the last row
    error = _refused(load_iod2019, data_copy)
    assert (error.path.name, error.line_number) == (Path(FILE1).name, 32_845)
    assert "32843 data rows, expected 32844" in error.reason


def test_missing_column(data_copy: Path) -> None:
    _edit_line(data_copy / FILE2, 1, lambda line: line.replace("Crime Rank", "Crime Rnk"))
    error = _refused(load_iod2019, data_copy)
    assert (error.path.name, error.line_number) == (Path(FILE2).name, 1)
    assert "missing required column" in error.reason and "Crime Rank" in error.reason


def test_duplicate_lsoa(data_copy: Path) -> None:
    _edit_line(data_copy / FILE1, 3, lambda line: line.replace("E01000002", "E01000001"))
    error = _refused(load_iod2019, data_copy)
    assert (error.path.name, error.line_number) == (Path(FILE1).name, 3)
    assert "duplicate" in error.reason and "E01000001" in error.reason and "line 2" in error.reason


def test_bad_left_behind_flag(data_copy: Path) -> None:
    _edit_line(data_copy / CNI_FILE, 4, lambda line: line.rsplit(",", 1)[0] + ",MAYBE")
    error = _refused(load_iod2019, data_copy)
    assert (error.path.name, error.line_number) == (Path(CNI_FILE).name, 4)
    assert "TRUE or FALSE" in error.reason


def test_district_without_region(data_copy: Path) -> None:
    _edit_line(data_copy / REGIONS, 2, lambda line: line.replace("E09000001", "E09999999"))
    error = _refused(load_iod2019, data_copy)
    assert error.path.name == Path(LOOKUP).name and "E09000001 has no region" in error.reason


def test_iod2025_non_numeric_score(data_copy: Path) -> None:
    _edit_line(data_copy / IOD2025_FILE, 2, lambda line: line.replace(",8.742,", ",8.7x2,"))
    error = _refused(load_iod2025_lsoa21, data_copy)
    assert (error.path.name, error.line_number) == (Path(IOD2025_FILE).name, 2)
    assert "IMD_score" in error.reason


def test_missing_directory(tmp_path: Path) -> None:
    assert _refused(load_iod2019, tmp_path / "nowhere").line_number is None
    error = _refused(load_iod2019, tmp_path)
    assert error.path.name == Path(FILE1).name and "cannot read" in error.reason
