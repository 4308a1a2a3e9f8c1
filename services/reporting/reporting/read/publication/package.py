"""The fund's 360Giving package: every real grant reporting holds, as one JSON document."""

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from reporting.read.publication.config import PublicationSettings
from reporting.read.publication.grants import grant_json
from reporting.read.publication.source import grant_records

SCHEMA_VERSION = "1.4"  # the package's `version` is major.minor; the grants follow schema 1.4.3
LICENSE = "https://creativecommons.org/licenses/by/4.0/"


def build_package(session: Session, settings: PublicationSettings, now: datetime | None = None) -> dict[str, Any]:
    """The package of every grant not marked synthetic, scenario or demo, oldest award first."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    grants = [grant_json(record, settings) for record in grant_records(session) if record.is_real]
    return {
        "version": SCHEMA_VERSION,
        "title": f"{settings.funder_name} grants",
        "description": f"Every grant awarded by the {settings.funder_name}, with the tranches paid so far.",
        "issued": moment.date().isoformat(),
        "modified": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "license": LICENSE,
        "publisher": {"name": settings.funder_name, "identifier": settings.funder_id()},
        "grants": grants,
    }


def package_bytes(package: dict[str, Any]) -> bytes:
    """The package as UTF-8 JSON, keys in the order built."""
    return json.dumps(package, ensure_ascii=False, indent=1).encode("utf-8")
