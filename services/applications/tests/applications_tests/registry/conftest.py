"""Fixtures: the official reference files named by GRANTS_REFERENCE_DATA_DIR (tests skip without it)."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from applications.adapters.registry import Lsoa21Import, RegistryImport, load_iod2019, load_iod2025_lsoa21

from .reference_files import CNI_FILE, DERIVED_FILE, ENV, IOD2019_FILES, IOD2025_FILE


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The reference data folder, or skip with the reason."""
    value = os.environ.get(ENV)
    if not value:
        pytest.skip(f"{ENV} is not set: point it at the folder holding imd2019/, imd2025/, cni_left_behind/, lookups/")
    path = Path(value)
    if not path.is_dir():
        pytest.skip(f"{ENV}={value} is not a directory")
    missing = [f for f in (*IOD2019_FILES, CNI_FILE, DERIVED_FILE, IOD2025_FILE) if not (path / f).is_file()]
    if missing:
        pytest.skip(f"{ENV}={value} lacks {', '.join(missing)}")
    return path


@pytest.fixture(scope="session")
def import_seconds() -> dict[str, float]:
    """Wall-clock seconds of each full import, filled in by the import fixtures."""
    return {}


@pytest.fixture(scope="session")
def iod2019(data_dir: Path, import_seconds: dict[str, float]) -> RegistryImport:
    """The full IoD2019 + CNI2019 ward17 import, loaded once."""
    start = time.perf_counter()
    registry = load_iod2019(data_dir)
    import_seconds["load_iod2019"] = time.perf_counter() - start
    return registry


@pytest.fixture(scope="session")
def iod2025(data_dir: Path, import_seconds: dict[str, float]) -> Lsoa21Import:
    """The IoD2025 LSOA21 file, loaded once."""
    start = time.perf_counter()
    loaded = load_iod2025_lsoa21(data_dir)
    import_seconds["load_iod2025_lsoa21"] = time.perf_counter() - start
    return loaded


@pytest.fixture
def data_copy(data_dir: Path, tmp_path: Path) -> Path:
    """A writable copy of the IoD2019 + CNI + IoD2025 files in tmp_path, for making malformed variants."""
    root = tmp_path / "data"
    for name in (*IOD2019_FILES, CNI_FILE, IOD2025_FILE):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(data_dir / name, root / name)
    return root
