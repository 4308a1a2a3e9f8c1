"""The stage a soak runs on: fresh databases (SQLite files, or new PostgreSQL databases), the platform as real
processes on free ports with its own embedded Redis, and a supervisor that restarts what dies."""

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

from grants_cli.ports import free_ports
from grants_cli.soak.rebuild_check import REBUILT
from grants_cli.system import DEFAULT_PORTS, SERVICES, System

# The soak is a load test: one operator token makes hundreds of requests a minute, as a fund's staff would together.
SOAK_ENV = {
    "GRANTS_RATE_LIMIT_PER_MINUTE": "1000000",
    "GRANTS_RATE_LIMIT_BURST": "100000",
    "ALLOCATION_REGISTRY_POLL_S": "0.5",
    "SANDBOX_BANK_SETTLE_AFTER_SECONDS": "0.5",
    # Fifteen years pass in minutes: the fund's policy (every release approved) with no wait for due dates.
    "PAYMENTS_RELEASE_POLICY_FILE": str(Path(__file__).with_name("release_policy_soak.json")),
}


@contextmanager
def fresh_databases(backend: str, var_dir: Path, postgres_url: str | None) -> Iterator[dict[str, str]]:
    """One new database per service (and an empty one to rebuild reporting into): SQLite files under var/, or
    PostgreSQL databases created now, dropped after."""
    if backend == "sqlite":
        yield {svc: f"sqlite:///{(var_dir / f'{svc}.db').resolve()}" for svc in (*SERVICES, REBUILT)}
        return
    if not postgres_url:
        raise ValueError("--backend postgresql needs --postgres-url or GRANTS_SOAK_POSTGRES_URL")
    run = uuid.uuid4().hex[:8]
    names = {svc: f"soak_{run}_{svc}" for svc in (*SERVICES, REBUILT)}
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            for name in names.values():
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield {svc: f"{postgres_url.rsplit('/', 1)[0]}/{name}" for svc, name in names.items()}
    finally:
        with admin.connect() as connection:
            for name in names.values():
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def soak_system(var_dir: Path, databases: dict[str, str], backend: str) -> System:
    """The platform on free ports with its own embedded Redis (so the soak can restart it)."""
    *service_ports, redis_port = free_ports(len(DEFAULT_PORTS) + 1)
    ports = dict(zip(DEFAULT_PORTS, service_ports, strict=True))
    env = {**SOAK_ENV, "APPLICATIONS_URL": f"http://127.0.0.1:{ports['applications']}"}
    if backend != "sqlite":
        env.update({f"{svc.upper()}_DATABASE_URL": databases[svc] for svc in SERVICES})
    return System(var_dir=var_dir, ports=ports, extra_env=env, redis_port=redis_port)


class Supervisor:
    """Restarts any process that dies (unless a fault holds it down), as `grants run` does."""

    def __init__(self, system: System, every_s: float = 0.2) -> None:
        self.system, self.every_s = system, every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> "Supervisor":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._stop.wait(self.every_s):
            self.system.supervise_once()
