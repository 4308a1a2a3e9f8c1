"""The whole system as real processes, started the way `grants run` starts it."""

import os
import threading
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import redis

from grants_cli.ports import free_ports
from grants_cli.system import DEFAULT_PORTS, SERVICES, System
from grants_cli.walk import Client
from tests.support.infra import database_backends, fresh_database

# Short delays so a walk takes seconds: the bank settles fast, claims and polls happen often.
FAST = {
    "GRANTS_CLAIM_IDLE_MS": "400",
    "SANDBOX_BANK_SETTLE_AFTER_SECONDS": "0.2",
    "PAYMENTS_POLL_INTERVAL_S": "0.2",
    # The fund's policy (a second person for every release) but no wait for due dates: a walk pays tranche 2 now.
    "PAYMENTS_RELEASE_POLICY_FILE": str(Path(__file__).with_name("release_policy_e2e.json")),
    "GRANTS_ENV": "test",
}


def reference_data() -> Path | None:
    """The official files when configured: on a synthetic registry every committed round is a demonstration."""
    folder = os.environ.get("GRANTS_REFERENCE_DATA_DIR")
    return Path(folder) if folder else None


class RunningSystem:
    """A started System, a supervisor thread that restarts crashed processes, and an HTTP client."""

    def __init__(self, system: System) -> None:
        self.system = system
        self.client = Client({s: system.url(s) for s in SERVICES})
        self.redis = redis.Redis.from_url(system.redis_url or "")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._supervise, daemon=True)
        self._thread.start()

    def _supervise(self) -> None:
        while not self._stop.wait(0.2):
            self.system.supervise_once()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self.system.stop()


@pytest.fixture(params=database_backends())
def start_system(request: pytest.FixtureRequest, tmp_path: Path, redis_url: str) -> Iterator[Any]:
    """A factory: start the system with optional per-process environment (crash points)."""
    stack = ExitStack()
    started: list[RunningSystem] = []

    def start(per_process_env: dict[str, dict[str, str]] | None = None) -> RunningSystem:
        redis.Redis.from_url(redis_url).flushdb()
        env = dict(FAST)
        for svc in SERVICES:
            url = stack.enter_context(fresh_database(request.param, tmp_path, svc))
            if request.param != "sqlite":
                env[f"{svc.upper()}_DATABASE_URL"] = url
        system = System(
            var_dir=tmp_path / "var",
            redis_url=redis_url,
            ports=dict(zip(DEFAULT_PORTS, free_ports(len(DEFAULT_PORTS)), strict=True)),
            extra_env=env,
            per_process_env=per_process_env or {},
        )
        try:
            system.start(reference_data=reference_data(), timeout_s=180)
        except Exception:
            system.stop()
            raise
        running = RunningSystem(system)
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()
    stack.close()
