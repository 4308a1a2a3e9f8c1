"""Strict-but-tolerant reader for the official registry CSV files (BOM, quoted thousands separators)."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

_INT = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)$", re.ASCII)
_DEC = re.compile(r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?$", re.ASCII)
_on_read: ContextVar[Callable[[Path, int], None] | None] = ContextVar("on_read", default=None)


@contextmanager
def reporting_reads(callback: Callable[[Path, int], None]) -> Iterator[None]:
    """Within the block, every file read successfully is reported as (path, bytes) - for progress bars."""
    token = _on_read.set(callback)
    try:
        yield
    finally:
        _on_read.reset(token)


class RegistryFileError(Exception):
    """An official file is missing, malformed or inconsistent; names the file, line (1-based) and reason."""

    def __init__(self, path: Path | str, line_number: int | None, reason: str) -> None:
        self.path = Path(path)
        self.line_number = line_number
        self.reason = reason
        where = f"{self.path}:{line_number}" if line_number is not None else str(self.path)
        super().__init__(f"{where}: {reason}")


class CsvRow:
    """One data row; typed accessors raise RegistryFileError naming the file, line and column."""

    __slots__ = ("path", "line", "_values")

    def __init__(self, path: Path, line: int, values: dict[str, str]) -> None:
        self.path = path
        self.line = line
        self._values = values

    def error(self, reason: str) -> RegistryFileError:
        """Build an error pointing at this row."""
        return RegistryFileError(self.path, self.line, reason)

    def text(self, column: str, *, required: bool = True) -> str:
        """The stripped text of a column; empty text is refused when required."""
        value = self._values[column].strip()
        if required and not value:
            raise self.error(f"empty value in column {column!r}")
        return value

    def integer(self, column: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
        """A whole number, allowing thousands separators ("29,199"), optionally range-checked."""
        raw = self._values[column]
        if raw.isascii() and raw.isdigit():  # fast path: plain digits
            value = int(raw)
        else:
            raw = self.text(column)
            if not _INT.match(raw):
                raise self.error(f"non-numeric value {raw!r} in column {column!r}")
            value = int(raw.replace(",", ""))
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            raise self.error(f"value {value} in column {column!r} outside {minimum}..{maximum}")
        return value

    def decimal(self, column: str) -> Decimal:
        """An exact decimal number as published, allowing thousands separators and a sign."""
        raw = self.text(column)
        if not _DEC.match(raw):
            raise self.error(f"non-numeric value {raw!r} in column {column!r}")
        return Decimal(raw.replace(",", ""))

    def flag(self, column: str) -> bool:
        """A TRUE/FALSE flag (case-insensitive)."""
        raw = self.text(column).upper()
        if raw not in ("TRUE", "FALSE"):
            raise self.error(f"expected TRUE or FALSE in column {column!r}, got {raw!r}")
        return raw == "TRUE"


@dataclass(frozen=True)
class CsvFile:
    """A parsed file: its path, the sha256 of its exact bytes, and its data rows in file order."""

    path: Path
    sha256: str
    rows: tuple[CsvRow, ...]

    def end_line(self) -> int:
        """The line number just after the last data row (where missing rows would have been)."""
        return (self.rows[-1].line if self.rows else 1) + 1

    def expect_rows(self, expected: int | None) -> None:
        """Refuse the file unless it has exactly `expected` data rows (None: no check)."""
        if expected is not None and len(self.rows) != expected:
            raise RegistryFileError(
                self.path, self.end_line(), f"file has {len(self.rows)} data rows, expected {expected}"
            )


def _normalise(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").split()).casefold()


def read_csv(path: Path, required: Sequence[str], *, expected_rows: int | None = None) -> CsvFile:
    """Read a CSV, check the header has every required column and every row is complete, or refuse it."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RegistryFileError(path, None, f"cannot read file: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RegistryFileError(path, data[: exc.start].count(b"\n") + 1, "not valid UTF-8") from exc
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[CsvRow] = []
    try:
        header = next(reader, None)
        if not header:
            raise RegistryFileError(path, 1, "file is empty or has no header")
        names = [_normalise(h) for h in header]
        index = {n: i for i, n in reversed(list(enumerate(names)))}
        repeated = [c for c in required if names.count(_normalise(c)) > 1]
        if repeated:
            raise RegistryFileError(path, 1, f"column(s) repeated in header: {', '.join(map(repr, repeated))}")
        missing = [c for c in required if _normalise(c) not in index]
        if missing:
            raise RegistryFileError(path, 1, f"missing required column(s): {', '.join(map(repr, missing))}")
        wanted = [(c, index[_normalise(c)]) for c in required]
        for fields in reader:
            if not fields:  # an empty line
                continue
            if len(fields) != len(header):
                raise RegistryFileError(
                    path, reader.line_num, f"row has {len(fields)} fields, header has {len(header)}"
                )
            rows.append(CsvRow(path, reader.line_num, {c: fields[i] for c, i in wanted}))
    except csv.Error as exc:
        raise RegistryFileError(path, reader.line_num, f"malformed CSV: {exc}") from exc
    parsed = CsvFile(path, hashlib.sha256(data).hexdigest(), tuple(rows))
    parsed.expect_rows(expected_rows)
    if (report := _on_read.get()) is not None:
        report(path, len(data))
    return parsed
