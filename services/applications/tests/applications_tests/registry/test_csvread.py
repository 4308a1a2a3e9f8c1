"""The tolerant-but-strict CSV reader, on small files made here (no reference data needed)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from applications.adapters.registry import RegistryFileError
from applications.adapters.registry.csvread import read_csv


def _write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    return path


def test_bom_quotes_thousands_crlf_and_no_trailing_newline(tmp_path: Path) -> None:
    path = _write(tmp_path, '\ufeffCode,Rank,Score\r\nA,"29,199",-1.5\r\nB,7,"1,234.25"'.encode())
    parsed = read_csv(path, ("code", "RANK", "Score"), expected_rows=2)
    a, b = parsed.rows
    assert (a.line, a.text("code"), a.integer("RANK"), a.decimal("Score")) == (2, "A", 29199, Decimal("-1.5"))
    assert (b.line, b.integer("RANK"), b.decimal("Score")) == (3, 7, Decimal("1234.25"))
    assert len(parsed.sha256) == 64


@pytest.mark.parametrize("bad", ["1,23", "12a", "", "-3", "1.0", "٣"])
def test_integer_refuses(tmp_path: Path, bad: str) -> None:
    row = read_csv(_write(tmp_path, f'n\n"{bad}"\n'.encode()), ("n",)).rows[0]
    with pytest.raises(RegistryFileError) as caught:
        row.integer("n")
    assert caught.value.line_number == 2


def test_integer_range_and_flag(tmp_path: Path) -> None:
    row = read_csv(_write(tmp_path, b"n,f,g\n11,TRUE,yes\n"), ("n", "f", "g")).rows[0]
    assert row.flag("f") is True
    with pytest.raises(RegistryFileError, match="outside 1..10"):
        row.integer("n", minimum=1, maximum=10)
    with pytest.raises(RegistryFileError, match="TRUE or FALSE"):
        row.flag("g")


@pytest.mark.parametrize(
    ("data", "line", "reason"),
    [
        (b"a,b\n1,2\n3\n", 3, "row has 1 fields, header has 2"),
        (b'a,b\n1,"2\n', 2, "malformed CSV"),
        (b"a,b\n1,\xff\n", 2, "not valid UTF-8"),
        (b"", 1, "no header"),
        (b"a,c\n1,2\n", 1, "missing required column(s): 'b'"),
        (b"a,b,B\n1,2,3\n", 1, "repeated"),
        (b"a,b\n1,2\n3,4\n", 4, "file has 2 data rows, expected 3"),
    ],
)
def test_refused_files(tmp_path: Path, data: bytes, line: int, reason: str) -> None:
    with pytest.raises(RegistryFileError) as caught:
        read_csv(_write(tmp_path, data), ("a", "b"), expected_rows=3)
    assert caught.value.line_number == line
    assert reason in caught.value.reason


def test_blank_lines_are_skipped_and_lines_counted(tmp_path: Path) -> None:
    parsed = read_csv(_write(tmp_path, b"a\n1\n\n2\n\n"), ("a",))
    assert [(r.line, r.integer("a")) for r in parsed.rows] == [(2, 1), (4, 2)]
