"""Helpers shared by the sandbox bank tests: the bank as a real process, payment bodies, polling."""

from __future__ import annotations

import os
import secrets
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx

from grants_cli.ports import free_port
from tests.support.bank_auth import BankAuth

T = TypeVar("T")
PAYEE = {"name": "Ward 12 Partnership", "sort_code": "123456", "account_number": "12345678"}


def new_key() -> str:
    """A fresh idempotency key."""
    return f"test-{uuid.uuid4()}"


def new_reference() -> str:
    """A fresh bank reference (18 characters at most)."""
    return f"T{uuid.uuid4().hex[:12].upper()}"


def body(amount_pence: Any = 12_345, reference: str | None = None, **overrides: Any) -> dict[str, Any]:
    """A valid payment request body."""
    return {
        "amount_pence": amount_pence,
        "currency": "GBP",
        "payee_account": dict(PAYEE),
        "reference": reference or new_reference(),
        **overrides,
    }


def poll(read: Callable[[], T], done: Callable[[T], bool], timeout: float = 10.0, every: float = 0.05) -> T:
    """Call ``read`` until ``done`` holds for its result; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s; last value: {value!r}")
        time.sleep(every)


SETTLE = timedelta(seconds=0.2)  # the bank's settle delay in these tests; "delay" is ten times this
FAST = {
    "SANDBOX_BANK_SETTLE_AFTER_SECONDS": str(SETTLE.total_seconds()),
    "SANDBOX_BANK_RETURN_AFTER_SECONDS": "0.2",
    "SANDBOX_BANK_TIMEOUT_SECONDS": "1.5",
    "SANDBOX_BANK_SWEEP_INTERVAL_SECONDS": "0.05",
    "SANDBOX_BANK_LOG_LEVEL": "warning",
}


@dataclass
class Bank:
    """A sandbox bank run as a real process (``python -m sandbox_bank``) on a loopback port."""

    db_path: Path
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    api_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    control_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    @property
    def auth(self) -> BankAuth:
        """The credentials this bank takes, for an httpx client."""
        return BankAuth(self.api_key, self.control_key)

    @property
    def base_url(self) -> str:
        """Where the bank listens."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Bank:
        """Spawn the bank and wait for /healthz (keeps its port across restarts; a new one on a clash)."""
        for attempt in range(3):
            self.port = self.port if self.port and attempt == 0 else free_port()
            env = {
                **os.environ,
                **FAST,
                **self.env,
                "SANDBOX_BANK_HOST": "127.0.0.1",
                "SANDBOX_BANK_PORT": str(self.port),
                "SANDBOX_BANK_DATABASE_URL": f"sqlite:///{self.db_path}",
                "SANDBOX_BANK_API_KEY": self.api_key,
                "SANDBOX_BANK_CONTROL_KEY": self.control_key,
            }
            with open(self.log_path, "ab") as log:
                self.process = subprocess.Popen(
                    [sys.executable, "-m", "sandbox_bank"],
                    env=env,
                    cwd=self.db_path.parent,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and self.process.poll() is None:
                try:
                    if httpx.get(f"{self.base_url}/healthz", timeout=0.5, auth=self.auth).status_code == 200:
                        return self
                except httpx.TransportError:
                    pass
                time.sleep(0.05)
            self.stop()
        raise RuntimeError(f"sandbox bank did not start:\n{self.log_path.read_text()[-2000:]}")

    def stop(self, hard: bool = False) -> None:
        """Stop the process: SIGKILL if ``hard`` (a crash), else SIGTERM (a clean shutdown)."""
        if self.process is not None and self.process.poll() is None:
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
