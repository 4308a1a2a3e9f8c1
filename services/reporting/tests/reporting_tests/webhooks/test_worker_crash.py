"""The reporting worker, a real process, killed just after an endpoint answered a delivery and before the worker
recorded it: a new worker sends that delivery again under the same webhook-id (at least once), and every event of
the grant's life reaches the receiver once per webhook-id, all signatures verified."""

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import redis
from sqlalchemy.orm import Session, sessionmaker

from grants_cli.system import Process, tail
from reporting.webhooks.sender import CRASH_AFTER_SEND
from tests.support.consuming import publish

from ..story import Story
from .life import delivery_counts, grant_life, subscribe_at
from .receiving import receiving


def worker(db: str, redis_url: str, tmp_path: Path, name: str, **more: str) -> Process:
    env = {
        **os.environ,
        "REPORTING_DATABASE_URL": db,
        "REDIS_URL": redis_url,
        "GRANTS_ENV": "development",
        "GRANTS_VAR_DIR": str(tmp_path / "var"),
        "REPORTING_WEBHOOKS_ALLOW_LOOPBACK": "true",
        "REPORTING_WEBHOOKS_LEASE_S": "2",
        "GRANTS_CLAIM_IDLE_MS": "500",
        **more,
    }
    return Process(name, [sys.executable, "-m", "reporting.worker"], env, tmp_path / f"{name}.log")


def wait_for(check: Callable[[], bool], what: str, process: Process | None = None, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        log = tail(process.log) if process else ""
        assert time.monotonic() < deadline, f"{what} not reached in {timeout_s} s\n{log}"
        time.sleep(0.05)


def test_a_worker_killed_mid_delivery_loses_nothing_and_repeats_only_under_the_same_id(
    db: str, sessions: sessionmaker[Session], redis_url: str, tmp_path: Path
) -> None:
    redis.Redis.from_url(redis_url).flushdb()
    secrets: list[str] = []
    with receiving(secrets) as (inbox, url):
        life = grant_life(Story())
        # the grant's life only: the worker's own report reminders (its grant's reports fall due) are other events
        _, secret = subscribe_at(sessions, url, event_types=sorted({e.event_type for e in life}))
        secrets.append(secret)
        for envelope in life:
            publish(redis_url, envelope)
        doomed = worker(
            db, redis_url, tmp_path, "doomed", GRANTS_CRASH_AT=CRASH_AFTER_SEND, GRANTS_CRASH_MARKER_DIR=str(tmp_path)
        )
        doomed.start()
        try:
            wait_for(lambda: not doomed.alive(), "the crash", doomed)
        finally:
            doomed.stop()
        assert doomed.popen and doomed.popen.returncode == -9, tail(doomed.log)
        assert (tmp_path / f"crash-{CRASH_AFTER_SEND}.fired").exists()
        received_before = len(inbox.handled)
        assert 1 <= received_before < len(life)
        survivor = worker(db, redis_url, tmp_path, "survivor")
        survivor.start()
        try:
            wanted = sorted(e.event_id for e in life)
            wait_for(lambda: sorted(ev["id"] for _, ev in inbox.handled) == wanted, "every event", survivor)
            wait_for(lambda: delivery_counts(sessions) == {"delivered": len(life)}, "all recorded", survivor)
        finally:
            survivor.stop()
        assert inbox.refused == 0
        assert inbox.repeats >= 1  # what the endpoint had answered before the kill came again, under its webhook-id
        assert len({mid for mid, _ in inbox.handled}) == len(life)
    redis.Redis.from_url(redis_url).flushdb()
