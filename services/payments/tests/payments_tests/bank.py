"""The sandbox bank as a real process on a free loopback port, for the payments loop tests."""

import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from grants_cli.ports import free_port
from payments.adapters.provider import SandboxBankProvider
from tests.support.bank_auth import BankAuth

FAST = {
    "SANDBOX_BANK_SETTLE_AFTER_SECONDS": "30",  # tests settle with /control/settle-now, never by waiting
    "SANDBOX_BANK_RETURN_AFTER_SECONDS": "0.2",
    "SANDBOX_BANK_TIMEOUT_SECONDS": "1.5",
    "SANDBOX_BANK_SWEEP_INTERVAL_SECONDS": "0.05",
    "SANDBOX_BANK_LOG_LEVEL": "warning",
}


def new_keys() -> dict[str, str]:
    """A fresh pair of the bank's keys, as its environment takes them."""
    return {"SANDBOX_BANK_API_KEY": secrets.token_urlsafe(32), "SANDBOX_BANK_CONTROL_KEY": secrets.token_urlsafe(32)}


@dataclass
class Bank:
    """A running sandbox bank and a client for its control and read routes."""

    base_url: str
    process: subprocess.Popen[bytes]
    client: httpx.Client | None = None
    keys: dict[str, str] = field(default_factory=new_keys)

    @property
    def api_key(self) -> str:
        """The client's key: what payments sends."""
        return self.keys["SANDBOX_BANK_API_KEY"]

    def provider(self, timeout: float = 5) -> SandboxBankProvider:
        """Payments' adapter on this bank, with its key (close it after use)."""
        return SandboxBankProvider(self.base_url, api_key=self.api_key, timeout=timeout)

    @property
    def http(self) -> httpx.Client:
        """One kept-alive client (a new one per call would build an SSL context each time: ~70 ms)."""
        if self.client is None:
            auth = BankAuth(self.api_key, self.keys["SANDBOX_BANK_CONTROL_KEY"])
            self.client = httpx.Client(base_url=self.base_url, timeout=10, auth=auth)
        return self.client

    def stop(self) -> None:
        """Terminate the process."""
        if self.client is not None:
            self.client.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        """Call the bank and return its JSON (raising on an HTTP error)."""
        response = self.http.request(method, path, **kwargs)
        response.raise_for_status()
        return response.json()

    def queue(self, behaviour: str, count: int = 1, **options: Any) -> None:
        """Make the next `count` new payments fail, time out, return, be delayed or have their amount altered."""
        self.call("POST", "/control/behaviours", json={"behaviour": behaviour, "count": count, **options})

    def settle_now(self) -> int:
        """Settle every pending payment now."""
        return int(self.call("POST", "/control/settle-now")["settled"])

    def clock(self) -> datetime:
        """The bank's time now."""
        return datetime.fromisoformat(self.call("GET", "/control/clock")["now"])

    def move_clock(self, to: datetime) -> None:
        """Move the bank's clock forward to `to` (never back: earlier times are left alone)."""
        if to > self.clock():
            self.call("PUT", "/control/clock", json={"now": to.isoformat()})

    def pay_directly(self, key: str, amount_pence: int, reference: str) -> dict[str, Any]:
        """A payment made at the bank by someone other than the platform (a difference to reconcile)."""
        payee = {"name": "Someone else", "sort_code": "040004", "account_number": "12345678"}
        body = {"amount_pence": amount_pence, "currency": "GBP", "payee_account": payee, "reference": reference}
        result: dict[str, Any] = self.call("POST", "/payments", json=body, headers={"Idempotency-Key": key})
        return result

    def settlements(self) -> list[dict[str, Any]]:
        """Every line of the bank's settlement report so far."""
        entries: list[dict[str, Any]] = self.call("GET", "/settlements")["entries"]
        return entries

    def reset(self) -> None:
        """Forget every payment, behaviour and clock move (the bank as freshly started)."""
        self.call("POST", "/control/reset")

    def payment_for(self, key: str) -> dict[str, Any] | None:
        """The bank's payment for an idempotency key, or None."""
        response = self.http.get("/payments", params={"idempotency_key": key})
        return None if response.status_code == 404 else response.json()


def start_bank(directory: Path, **settings: str) -> Bank:
    """Spawn `python -m sandbox_bank` on a free port and wait until it answers (settings: SANDBOX_BANK_* values)."""
    log_path = directory / "bank.log"
    keys = new_keys()
    for _ in range(3):
        port = free_port()
        env = {
            **os.environ,
            **FAST,
            **keys,
            **settings,
            "SANDBOX_BANK_HOST": "127.0.0.1",
            "SANDBOX_BANK_PORT": str(port),
            "SANDBOX_BANK_DATABASE_URL": f"sqlite:///{directory / 'bank.db'}",
        }
        with open(log_path, "ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "sandbox_bank"], env=env, cwd=directory, stdout=log, stderr=subprocess.STDOUT
            )
        bank = Bank(f"http://127.0.0.1:{port}", process, keys=keys)
        deadline = time.monotonic() + 60  # a loaded machine takes its time to import and migrate
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if bank.http.get("/healthz", timeout=0.5).status_code == 200:
                    return bank
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        bank.stop()
    raise RuntimeError(f"sandbox bank did not start:\n{log_path.read_text()[-2000:]}")
