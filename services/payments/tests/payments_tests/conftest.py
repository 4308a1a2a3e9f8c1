"""Fixtures: a migrated payments database per backend, its sessions, the API on it and a real sandbox bank."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.db import make_engine, migrate, session_factory
from payments import bootstrap
from payments.adapters.provider import SandboxBankProvider
from payments.adapters.release_policy import load_policy
from payments.api import create_app
from payments.read.ledger_check import run_checks
from payments_tests.bank import Bank, start_bank
from tests.support.infra import database_backends, fresh_database

THRESHOLD = 500_000
TEST_POLICY_FILE = str(Path(__file__).with_name("release_policy_test.json"))
POLICY = load_policy(TEST_POLICY_FILE)  # a second person above THRESHOLD; a tranche goes once its conditions are met


def point_service_at(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Migrate a database and name it in the environment the service reads."""
    migrate(database_url, "payments")
    monkeypatch.setenv("PAYMENTS_DATABASE_URL", database_url)
    monkeypatch.setenv("PAYMENTS_RELEASE_POLICY_FILE", TEST_POLICY_FILE)
    monkeypatch.setenv("PAYMENTS_MIGRATE_ON_START", "false")
    monkeypatch.setenv("GRANTS_ENV", "test")
    bootstrap.reset()


def broken_invariants(database_url: str) -> list[str]:
    """The ledger invariants of ARCHITECTURE.md section 5 that do not hold on a database, with their figures."""
    engine = make_engine(database_url)
    try:
        with session_factory(engine)() as session:
            return [f"{r.name}: {r.detail}" for r in run_checks(session) if not r.ok]
    finally:
        engine.dispose()


@pytest.fixture
def env(database_url: str, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[str]:
    """A migrated payments database, named by the environment the service reads; its ledger checked afterwards."""
    point_service_at(database_url, monkeypatch)
    yield database_url
    bootstrap.reset()
    if request.node.get_closest_marker("ledger_broken") is None:  # every test ends with the invariants holding
        assert broken_invariants(database_url) == [], "a ledger invariant failed after the test"


@pytest.fixture(scope="module", params=database_backends())
def module_env(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One migrated database for a module whose tests only read (saves a database per test)."""
    with fresh_database(request.param, tmp_path_factory.mktemp("payments"), "payreads") as url:
        with pytest.MonkeyPatch.context() as monkeypatch:
            point_service_at(url, monkeypatch)
            yield url
            bootstrap.reset()


@pytest.fixture
def sessions(env: str) -> sessionmaker[Session]:
    """Sessions on the test database (the ones the consumers and the API use too)."""
    return bootstrap.sessions()


@pytest.fixture
def client(env: str) -> Iterator[TestClient]:
    """The payments API on the test database."""
    with TestClient(create_app()) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def shared_bank(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bank]:
    """One sandbox bank process for the run (tests use their own instruction ids)."""
    bank = start_bank(tmp_path_factory.mktemp("sandbox_bank"))
    yield bank
    bank.stop()


@pytest.fixture(scope="module")
def clock_bank(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bank]:
    """A bank of the module's own, whose clock the tests move (it settles a minute after instruction)."""
    bank = start_bank(
        tmp_path_factory.mktemp("clock_bank"),
        SANDBOX_BANK_SETTLE_AFTER_SECONDS="60",
        SANDBOX_BANK_RETURN_AFTER_SECONDS="3600",
    )
    yield bank
    bank.stop()


@pytest.fixture
def bank(shared_bank: Bank) -> Bank:
    """The bank with no queued behaviour."""
    shared_bank.call("DELETE", "/control/behaviours")
    return shared_bank


@pytest.fixture
def provider(bank: Bank) -> Iterator[SandboxBankProvider]:
    """Our provider adapter on the bank, with a timeout shorter than the bank's injected one."""
    adapter = bank.provider(timeout=0.5)
    yield adapter
    adapter.close()
