"""A process killed between writing a commit run's decisions and committing leaves nothing behind."""

import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from allocation_tests.db import AWARDED, DECIDED, count, outbox
from allocation_tests.kit import ROUND
from allocation_tests.seed import seed_pool

COMMIT = """
import sys
from allocation import bootstrap
from allocation.usecases import run_allocation
from grants_shared.uow import UnitOfWork
with UnitOfWork(bootstrap.sessions()) as uow:
    run_allocation(uow, sys.argv[1], "commit", "crash-test")
    uow.commit()
"""


def test_a_crash_mid_commit_leaves_nothing_then_a_retry_commits_everything(
    client: TestClient, operator: dict[str, str], sessions: sessionmaker[Session], db_url: str, tmp_path: Path
) -> None:
    seed_pool(sessions, 10)
    round_id = client.post("/rounds", json=ROUND, headers=operator).json()["id"]
    env = {
        **os.environ,
        "ALLOCATION_DATABASE_URL": db_url,
        "GRANTS_CRASH_AT": "allocation.mid_commit",
        "GRANTS_CRASH_MARKER_DIR": str(tmp_path),
    }
    crashed = subprocess.run([sys.executable, "-c", COMMIT, round_id], env=env, capture_output=True, timeout=60)
    assert crashed.returncode == -9, crashed.stderr.decode()
    assert (tmp_path / "crash-allocation.mid_commit.fired").exists()
    assert count(sessions, "runs") == count(sessions, "decisions") == count(sessions, "awards") == 0
    assert outbox(sessions, DECIDED) == outbox(sessions, AWARDED) == 0
    retried = client.post(f"/rounds/{round_id}/runs", json={"mode": "commit"}, headers=operator)
    assert retried.status_code == 201, retried.text
    body = retried.json()
    assert outbox(sessions, DECIDED) == 10 and outbox(sessions, AWARDED) == body["totals"]["awards"] > 0
