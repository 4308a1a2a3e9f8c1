"""Fixtures of the publication tests: the 360Giving standard's files (skipped without them) and a fund-scale run."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from reporting.read.publication.config import PublicationSettings
from reporting.read.publication.package import build_package
from reporting.read.publication.standard import Standard, StandardMissing, load_standard

from .fund import WardStory, fund_stories, left_behind_wards, reference_dir, run_fund

ISSUED = datetime(2027, 1, 5, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def standard_dir() -> Path:
    """GRANTS_REFERENCE_DATA_DIR/360giving (through the publication's own setting), or skip with the reason."""
    folder = PublicationSettings().standard_dir()
    if folder is None:
        pytest.skip("GRANTS_REFERENCE_DATA_DIR is not set: the 360Giving schema and codelists are in its 360giving/")
    return folder


@pytest.fixture(scope="session")
def standard(standard_dir: Path) -> Standard:
    """The 360Giving schemas and codelists."""
    try:
        return load_standard(standard_dir)
    except StandardMissing as missing:
        pytest.skip(str(missing))


@pytest.fixture
def stories() -> list[WardStory]:
    """One grant per left-behind ward of the official files."""
    return fund_stories(left_behind_wards(reference_dir()))


@pytest.fixture
def fund_package(sessions: sessionmaker[Session], stories: list[WardStory]) -> dict[str, Any]:
    """The package of the fund-scale run, built from the projections."""
    run_fund(sessions, stories)
    with sessions() as session:
        return build_package(session, PublicationSettings(), now=ISSUED)
