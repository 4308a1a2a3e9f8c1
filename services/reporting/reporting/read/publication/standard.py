"""The 360Giving Data Standard as published: the grant and package schemas and the codelists, read from a folder."""

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

GRANT_SCHEMA = "360-giving-schema.json"
PACKAGE_SCHEMA = "360-giving-package-schema.json"
# The field each codelist governs, wherever it appears in a grant (the schema leaves most of them open).
CODELIST_FILES = {
    "currency": "currency.csv",
    "countryCode": "countryCode.csv",
    "geoCodeType": "geoCodeType.csv",
    "locationScope": "locationScope.csv",
    "regrantType": "regrantType.csv",
}


class StandardMissing(FileNotFoundError):
    """The folder does not hold the 360Giving schema files."""


@dataclass(frozen=True)
class Standard:
    """The two schemas and each codelist's codes."""

    grant_schema: dict[str, Any]
    package_schema: dict[str, Any]
    codelists: dict[str, frozenset[str]]


def load_standard(folder: Path) -> Standard:
    """Read the schemas and codelists from `folder` (the standard's files as the standard publishes them)."""
    if not (folder / GRANT_SCHEMA).is_file() or not (folder / PACKAGE_SCHEMA).is_file():
        raise StandardMissing(f"{folder} does not hold {GRANT_SCHEMA} and {PACKAGE_SCHEMA}")
    codelists = {field: _codes(folder / name) for field, name in CODELIST_FILES.items() if (folder / name).is_file()}
    return Standard(_json(folder / GRANT_SCHEMA), _json(folder / PACKAGE_SCHEMA), codelists)


def _json(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def _codes(path: Path) -> frozenset[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return frozenset(row["Code"].strip() for row in csv.DictReader(handle) if row.get("Code"))
