"""Scale out: two replicas of every worker in the same consumer groups share a burst of a round's awards.

Real processes (the platform as `grants run` starts it, plus a second worker per service with its own consumer
name), the soak's workload at a small size, then the soak's own checks: nothing lost, nothing applied twice, one bank
payment per tranche, the ledger balanced. Each replica logs what it applied (JSON lines at DEBUG), which shows that
both took a share and that no event was applied by both.
"""

import json
import os
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from grants_cli.soak.command import drive
from grants_cli.soak.stage import Supervisor, fresh_databases, soak_system
from grants_cli.soak.workload import Spec
from grants_cli.system import SERVICES, Process, System
from tests.support.infra import POSTGRES_ENV, database_backends

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
REPLICAS = ("a", "b")
WORKLOAD = Spec(wards=12, periods=1, seed=3)
CONSUMING = ("allocation", "payments", "reporting")  # the groups that consume events (applications only publishes)


def replica_name(service: str, replica: str) -> str:
    """The process name of a worker replica: the first keeps the usual name, so the supervisor knows it."""
    return f"{service}-worker" if replica == REPLICAS[0] else f"{service}-worker-{replica}"


def with_replicas(system: System) -> System:
    """The system with each worker started twice in its group, under two consumer names, logging what it applies."""
    define = system.define
    logging_env = {"GRANTS_LOG_LEVEL": "DEBUG", "GRANTS_LOG_FORMAT": "json"}

    def define_replicated() -> None:
        define()
        for svc in SERVICES:
            first = system.processes[f"{svc}-worker"]
            first.env.update({**logging_env, "GRANTS_CONSUMER_ID": f"replica-{REPLICAS[0]}"})
            for replica in REPLICAS[1:]:
                name = replica_name(svc, replica)
                env = {**first.env, "GRANTS_CONSUMER_ID": f"replica-{replica}", "GRANTS_PROCESS_NAME": name}
                system.processes[name] = Process(name, list(first.argv), env, first.log.with_name(f"{name}.log"))

    system.define = define_replicated  # type: ignore[method-assign]
    return system


def applied_by(log: Path) -> list[tuple[str, str]]:
    """(consumer group, event id) for each event a worker's log says it applied (reporting runs two groups)."""
    ids = []
    for line in log.read_text(errors="replace").splitlines():
        if not line.startswith("{"):
            continue
        record: dict[str, Any] = json.loads(line)
        if record.get("logger") == "grants_shared.delivery.consumer" and " applied " in record.get("message", ""):
            ids.append((record.get("consumer_group", ""), record["event_id"]))
    return ids


def _reference_data() -> Path | None:
    folder = os.environ.get("GRANTS_REFERENCE_DATA_DIR")
    return Path(folder) if folder else None


@pytest.mark.parametrize("backend", database_backends())
def test_two_replicas_of_each_worker_share_a_burst_with_no_double_effect(tmp_path: Path, backend: str) -> None:
    admin = os.environ.get(POSTGRES_ENV) if backend == "postgresql" else None
    with fresh_databases(backend, tmp_path, admin) as databases:
        system = with_replicas(soak_system(tmp_path, databases, backend))
        try:
            # the official registry when configured: on a synthetic one every round is a demonstration, out of the
            # fund figures the soak's checks compare
            system.start(reference_data=_reference_data(), timeout_s=240)
            with Supervisor(system):
                outcome = drive(system, databases, WORKLOAD, [], converge_s=180)
        finally:
            system.stop()
    failed = [f"{c.name}: {c.detail}" for c in outcome.checks if not c.ok]
    assert outcome.ok, (outcome.workload_error, failed, outcome.diagnosis)

    logs = tmp_path / "logs"
    for svc in CONSUMING:
        shares = {r: applied_by(logs / f"{replica_name(svc, r)}.log") for r in REPLICAS}
        assert all(shares.values()), f"{svc}: a replica applied nothing: { {r: len(s) for r, s in shares.items()} }"
        seen: defaultdict[tuple[str, str], int] = defaultdict(int)
        for ids in shares.values():
            for event_id in ids:
                seen[event_id] += 1
        assert not [e for e, n in seen.items() if n > 1], f"{svc}: events applied by more than one replica"
