"""The worker as a real process on a real Redis and sandbox bank: an award becomes a settled payment."""

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import redis

from grants_shared.auth import Role
from grants_shared.db import make_engine, migrate, session_factory
from grants_shared.events import PaymentSettled, TrancheScheduled
from grants_shared.uow import UnitOfWork
from grants_shared.wire import decode_entry
from payments.usecases import releases
from payments_tests.bank import Bank
from payments_tests.kit import awarded, instructions, open_first_tranche, staff, tranches
from tests.support.consuming import publish


def eventually(check: Callable[[], bool], what: str, timeout: float = 60) -> None:
    """Wait until `check` holds (generous: the machine may be busy)."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"{what} did not happen in {timeout}s"
        time.sleep(0.1)


def test_the_worker_pays_an_award_and_publishes_through_the_outbox(redis_url: str, bank: Bank, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'payments.db'}"
    migrate(url, "payments")
    client = redis.Redis.from_url(redis_url)
    env = {
        **os.environ,
        "PAYMENTS_DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "SANDBOX_BANK_URL": bank.base_url,
        "SANDBOX_BANK_API_KEY": bank.api_key,
        "PAYMENTS_POLL_INTERVAL_S": "0.1",
        "PAYMENTS_MIGRATE_ON_START": "true",
        "GRANTS_ENV": "test",
    }
    log = (tmp_path / "worker.log").open("wb")
    worker = subprocess.Popen([sys.executable, "-m", "payments.worker"], env=env, stdout=log, stderr=subprocess.STDOUT)
    engine = make_engine(url)
    sessions = session_factory(engine)
    try:
        envelope = awarded("g-w", amount=800_000, months=12)
        for _ in range(2):  # delivered twice: one schedule all the same
            publish(redis_url, envelope)
        eventually(lambda: [t.status for t in tranches(sessions, "g-w")] == ["held", "scheduled"], "schedule")
        open_first_tranche(sessions, "g-w")  # agreement signed, plan endorsed: tranche 1 is released
        with UnitOfWork(sessions) as uow:  # the fund's policy: a second person approves every release
            releases.approve(uow, tranches(sessions, "g-w")[0].tranche_id, staff("bob", Role.FINANCE_APPROVER))
            uow.commit()
        eventually(lambda: [i.status for i in instructions(sessions, "g-w")] == ["instructed"], "instruction")
        bank.settle_now()
        eventually(lambda: [i.status for i in instructions(sessions, "g-w")] == ["settled"], "settlement")
        eventually(lambda: client.xlen(PaymentSettled.stream()) > 0, "publication of payment-settled")
        settled = [decode_entry(fields)[0] for _, fields in client.xrange(PaymentSettled.stream())]
        assert [e["payload"]["grant_id"] for e in settled].count("g-w") == 1
        scheduled = [decode_entry(fields)[0]["payload"] for _, fields in client.xrange(TrancheScheduled.stream())]
        assert sorted(p["number"] for p in scheduled if p["grant_id"] == "g-w") == [1, 2]
    finally:
        worker.terminate()
        worker.wait(timeout=20)
        engine.dispose()
        log.close()
