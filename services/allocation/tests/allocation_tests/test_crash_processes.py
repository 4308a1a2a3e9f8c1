"""Real processes: the allocation API killed mid-commit, the worker killed while relaying; each event lands once.

The applications and allocation services run as in `grants run` (APIs and workers, synthetic registry, real
Redis); payments and reporting are left out, since nothing here waits on them. Bids are made over HTTP.
"""

import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from grants_cli.system import SERVICES, System
from grants_cli.walk import Client, wait_for
from grants_cli.worked_example import apply_for, example_system, left_behind_wards, wait_for_pool
from grants_shared.auth import Role
from grants_shared.events import AllocationDecided, GrantAwarded
from grants_shared.wire import decode_entry
from tests.support.infra import database_backends, fresh_database

pytestmark = pytest.mark.e2e
FAST = {
    "GRANTS_CLAIM_IDLE_MS": "400",
    "GRANTS_ENV": "test",
    "SANDBOX_BANK_SETTLE_AFTER_SECONDS": "0.2",
    "PAYMENTS_POLL_INTERVAL_S": "0.2",
}
CRASH = "allocation.mid_commit"


@pytest.fixture(params=database_backends())
def system(request: pytest.FixtureRequest, tmp_path: Path, redis_url: str) -> Iterator[System]:
    """The platform with the allocation API set to die at the mid-commit crash point, supervised."""
    redis.Redis.from_url(redis_url).flushdb()
    with ExitStack() as stack:
        env = dict(FAST)
        for svc in ("applications", "allocation") if request.param != "sqlite" else ():
            env[f"{svc.upper()}_DATABASE_URL"] = stack.enter_context(fresh_database(request.param, tmp_path, svc))
        platform = example_system(
            tmp_path / "var", redis_url, env, {"allocation-api": {"GRANTS_CRASH_AT": CRASH}}, kind=TwoServices
        )
        stop = threading.Event()
        supervisor = threading.Thread(
            target=lambda: [platform.supervise_once() for _ in iter(lambda: stop.wait(0.2), True)], daemon=True
        )
        try:
            platform.start()
            supervisor.start()
            yield platform
        finally:
            stop.set()
            if supervisor.is_alive():
                supervisor.join()
            platform.stop()


class TwoServices(System):
    """The applications and allocation services only: their databases, the registry, their APIs and workers."""

    def prepare(self, reference_data: Path | None) -> None:
        """Migrate the two databases and load the synthetic registry."""
        self.run_step("-m", "grants_shared.migrate", "applications", "allocation")
        self.run_step("-m", "applications.registry_load", "--synthetic")

    def define(self) -> None:
        """Every process System describes, less those of the other services and the bank."""
        super().define()
        self.processes = {n: p for n, p in self.processes.items() if n.startswith(("applications-", "allocation-"))}


def events_of(client: redis.Redis, stream: str, run_id: str) -> tuple[int, dict[str, dict[str, Any]]]:
    """Entries on a stream for a run: how many, and the envelopes by event id."""
    entries = [decode_entry(fields)[0] for _, fields in client.xrange(stream)]
    mine = [e for e in entries if e["payload"]["run_id"] == run_id]
    return len(mine), {e["event_id"]: e for e in mine}


def test_each_decision_and_award_is_published_once_after_kills(system: System) -> None:
    client, streams = Client({s: system.url(s) for s in SERVICES}), redis.Redis.from_url(system.redis_url or "")
    operator, started = client.token(Role.OPERATOR), time.perf_counter()
    bids = apply_for(client, left_behind_wards(client)[:8], seed=7)
    applied = time.perf_counter()
    wait_for_pool(client, set(bids), timeout_s=60)
    pooled = time.perf_counter()
    round_id = client.call(
        "POST",
        "allocation",
        "/rounds",
        operator,
        {
            "name": "Crash round",
            "budget_pence": 1_000_000_000,
            "min_award_pence": 100_000_000,
            "max_award_pence": 250_000_000,
        },
    )["id"]
    with pytest.raises(httpx.HTTPError):  # the API process dies before its transaction commits
        client.call("POST", "allocation", f"/rounds/{round_id}/runs", operator, {"mode": "commit"})
    assert (system.var_dir / "crash" / f"crash-{CRASH}.fired").exists(), "the crash point never fired"
    wait_for("the allocation API to be restarted", lambda: system.processes["allocation-api"].restarts >= 1, 30)
    system.wait_healthy(30)
    restarted = time.perf_counter()
    assert client.call("GET", "allocation", f"/rounds/{round_id}/runs", operator)["total"] == 0

    run = client.call("POST", "allocation", f"/rounds/{round_id}/runs", operator, {"mode": "commit"})
    system.kill("allocation-worker")  # while its relay may be publishing the run's events
    seen_at_kill = events_of(streams, AllocationDecided.stream(), run["run_id"])[0]
    decided = {d["application_id"] for d in run["decisions"]}
    awarded = {d["application_id"] for d in run["decisions"] if d["awarded"]}
    assert run["registry"]["source"] == "registry" and decided == set(bids) and awarded

    def published() -> bool:
        return len(events_of(streams, AllocationDecided.stream(), run["run_id"])[1]) == len(decided) and len(
            events_of(streams, GrantAwarded.stream(), run["run_id"])[1]
        ) == len(awarded)

    wait_for("every event of the run to be published", published, 60)
    print(
        f"\napply {applied - started:.1f} s, pool and registry {pooled - applied:.1f} s, crash and restart "
        f"{restarted - pooled:.1f} s, publish {time.perf_counter() - restarted:.1f} s"
    )
    time.sleep(1)  # a late repeat by the restarted relay would show up now
    raw_decided, decisions = events_of(streams, AllocationDecided.stream(), run["run_id"])
    raw_awarded, grants = events_of(streams, GrantAwarded.stream(), run["run_id"])
    print(
        f"worker killed with {seen_at_kill} of {len(decided)} decisions on the stream; afterwards "
        f"{raw_decided} decision entries ({len(decisions)} distinct), {raw_awarded} award entries "
        f"({len(grants)} distinct); worker restarts {system.processes['allocation-worker'].restarts}"
    )
    assert sorted(e["payload"]["application_id"] for e in decisions.values()) == sorted(decided)
    assert sorted(e["payload"]["application_id"] for e in grants.values()) == sorted(awarded)
    assert len({e["payload"]["grant_id"] for e in grants.values()}) == len(awarded)
    assert system.processes["allocation-worker"].restarts >= 1
    everything = [decode_entry(f)[0]["payload"]["run_id"] for _, f in streams.xrange(AllocationDecided.stream())]
    assert set(everything) == {run["run_id"]}  # the killed commit published nothing
