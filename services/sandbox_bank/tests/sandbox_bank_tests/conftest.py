"""Fixtures: the sandbox bank as a real server process on a free loopback port with a tmp SQLite file."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from .testkit import Bank


@pytest.fixture(scope="session")
def shared_bank(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bank]:
    """One bank process for the whole session (tests use unique keys and references)."""
    directory = tmp_path_factory.mktemp("sandbox_bank")
    bank = Bank(db_path=directory / "bank.db", log_path=directory / "bank.log").start()
    yield bank
    bank.stop()


@pytest.fixture
def bank(shared_bank: Bank) -> Bank:
    """The shared bank, running, with an empty behaviour queue."""
    if shared_bank.process is None or shared_bank.process.poll() is not None:
        shared_bank.start()
    httpx.delete(f"{shared_bank.base_url}/control/behaviours", timeout=5, auth=shared_bank.auth).raise_for_status()
    return shared_bank


@pytest.fixture
def http(bank: Bank) -> Iterator[httpx.Client]:
    """A plain httpx client on the shared bank."""
    with httpx.Client(base_url=bank.base_url, timeout=10, auth=bank.auth) as client:
        yield client
