"""Fixtures: the sandbox bank as a real server process on a free loopback port with a tmp SQLite file."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

FAST = {
    "SANDBOX_BANK_SETTLE_AFTER_SECONDS": "0.3",
    "SANDBOX_BANK_RETURN_AFTER_SECONDS": "0.3",
    "SANDBOX_BANK_TIMEOUT_SECONDS": "1.5",
    "SANDBOX_BANK_SWEEP_INTERVAL_SECONDS": "0.05",
    "SANDBOX_BANK_LOG_LEVEL": "warning",
}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Bank:
    """A running sandbox bank process."""

    base_url: str
    db_path: Path
    process: subprocess.Popen[bytes]

    def stop(self, hard: bool = False) -> None:
        """Stop the process: SIGKILL if ``hard`` (a crash), else SIGTERM (a clean shutdown)."""
        if self.process.poll() is None:
            self.process.kill() if hard else self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def count_payments(self, where: str = "1=1", *args: object) -> int:
        """Count payment rows straight from the bank's SQLite file."""
        with sqlite3.connect(self.db_path) as conn:
            return int(conn.execute(f"SELECT COUNT(*) FROM payments WHERE {where}", args).fetchone()[0])


def start_bank(db_path: Path, log_path: Path, **env: str) -> Bank:
    """Spawn ``python -m sandbox_bank`` and wait until /healthz answers (retrying on a port clash)."""
    for _ in range(3):
        port = _free_port()
        full_env = {**os.environ, **FAST, **env, "SANDBOX_BANK_HOST": "127.0.0.1", "SANDBOX_BANK_PORT": str(port),
                    "SANDBOX_BANK_DATABASE_URL": f"sqlite:///{db_path}"}  # fmt: skip
        with open(log_path, "ab") as log:
            process = subprocess.Popen([sys.executable, "-m", "sandbox_bank"], env=full_env, cwd=db_path.parent,
                                       stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
        bank = Bank(f"http://127.0.0.1:{port}", db_path, process)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if httpx.get(f"{bank.base_url}/healthz", timeout=0.5).status_code == 200:
                    return bank
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        bank.stop()
    raise RuntimeError(f"sandbox bank did not start; see {log_path}:\n{log_path.read_text()[-2000:]}")


@pytest.fixture
def bank_factory(tmp_path: Path) -> Iterator[Callable[..., Bank]]:
    """Start banks on demand (same db file each time unless told otherwise); all are stopped afterwards."""
    started: list[Bank] = []

    def factory(db_name: str = "bank.db", **env: str) -> Bank:
        bank = start_bank(tmp_path / db_name, tmp_path / "bank.log", **env)
        started.append(bank)
        return bank

    yield factory
    for bank in started:
        bank.stop(hard=True)


@pytest.fixture(scope="session")
def shared_bank(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bank]:
    """One bank for the whole session (tests use unique keys and references)."""
    directory = tmp_path_factory.mktemp("sandbox_bank")
    bank = start_bank(directory / "bank.db", directory / "bank.log")
    yield bank
    bank.stop()


@pytest.fixture
def bank(shared_bank: Bank) -> Bank:
    """The shared bank with an empty behaviour queue."""
    httpx.delete(f"{shared_bank.base_url}/control/behaviours", timeout=5).raise_for_status()
    return shared_bank


@pytest.fixture
def http(bank: Bank) -> Iterator[httpx.Client]:
    """A plain httpx client on the shared bank."""
    with httpx.Client(base_url=bank.base_url, timeout=10) as client:
        yield client
