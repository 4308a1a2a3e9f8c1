"""Many workers at once on PostgreSQL: releases, duplicate deliveries, approvals, dispatch and settlement racing.

Nothing is paid twice, no commitment is overdrawn, and every tranche ends paid exactly once.
"""

import os
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.auth import Role
from grants_shared.db import make_engine, migrate, session_factory
from grants_shared.delivery import Route
from grants_shared.delivery.apply import apply_envelopes
from grants_shared.delivery.writer import Database
from grants_shared.errors import AppError
from grants_shared.events import GrantAwarded, ReportAccepted
from grants_shared.ids import new_id
from grants_shared.uow import UnitOfWork
from payments.adapters.orm import Grant, PaymentInstruction, Tranche
from payments.adapters.orm_variations import Variation
from payments.consumers.loops import dispatch_turn, poll_turn
from payments.usecases import awards as award_cases
from payments.usecases import conditions, releases, variations
from payments.usecases.instructions import bank_reference
from payments_tests.bank import Bank
from payments_tests.conftest import POLICY as TEST_POLICY
from payments_tests.kit import AWARDED_AT, accepted, awarded, ledger_failures, round_opened, staff
from tests.support.infra import POSTGRES_ENV, fresh_database

pytestmark = pytest.mark.skipif(
    not os.environ.get(POSTGRES_ENV), reason=f"needs PostgreSQL: set {POSTGRES_ENV} (SQLite serialises every writer)"
)
Sessions = sessionmaker[Session]
THRESHOLD = 250_000
POLICY = replace(TEST_POLICY, second_person_above_pence=THRESHOLD)
GRANTS, WORKERS, ACTIONS = 8, 8, 60


@pytest.fixture
def pg(tmp_path: Path) -> Iterator[Sessions]:
    """A migrated payments database on PostgreSQL, with a pool wide enough for every worker."""
    with fresh_database("postgresql", tmp_path, "concurrency") as url:
        migrate(url, "payments")
        engine = make_engine(url, pool_size=WORKERS + 4, max_overflow=8)
        yield session_factory(engine)
        engine.dispose()


class Delivery:
    """The consumer's own delivery path (inbox, handler in a savepoint, commit; a concurrent duplicate is one)."""

    def __init__(self, sessions: Sessions, event: type[Any], handle: Callable[..., None]) -> None:
        self.sessions, self.route = sessions, Route(event, handle)

    def apply(self, envelope: Any) -> None:
        """Apply one envelope as the payments group would."""
        apply_envelopes(self.sessions, "payments", [self.route], [envelope])


def delivery(sessions: Sessions, event: type[Any], handle: Callable[..., None]) -> Delivery:
    """The consumer's own delivery path for one event type."""
    return Delivery(sessions, event, handle)


class Workers:
    """Threads that each run random actions; what raised is counted (the worker would retry it) and shown."""

    def __init__(self, sessions: Sessions, bank: Bank, jobs: list[Callable[[], None]]) -> None:
        self.sessions, self.bank, self.jobs = sessions, bank, jobs
        self.retried: Counter[str] = Counter()
        self.errors: list[BaseException] = []
        self.lock = threading.Lock()

    def run(self, seed: int) -> None:
        rng = random.Random(seed)
        provider = self.bank.provider(timeout=5)
        turns: list[Callable[[], Any]] = [
            lambda: dispatch_turn(Database(self.sessions), provider, max_attempts=3, batch=5),
            lambda: poll_turn(Database(self.sessions), provider, max_attempts=3, batch=20),
            self.bank.settle_now,
        ]
        try:
            for _ in range(ACTIONS):
                with self.lock:
                    job = self.jobs.pop(rng.randrange(len(self.jobs))) if self.jobs and rng.random() < 0.6 else None
                try:
                    job() if job else rng.choice(turns)()
                except (OperationalError, AppError) as error:  # a deadlock victim or a lost race: the worker retries
                    self.retried[type(error).__name__ + (f":{error.code}" if isinstance(error, AppError) else "")] += 1
        except BaseException as error:  # anything else fails the test (a thread's exception would vanish)
            self.errors.append(error)
        finally:
            provider.close()


def test_many_workers_release_and_settle_at_once_without_paying_twice(pg: Sessions, bank: Bank) -> None:
    awards = [awarded(f"c{n}", amount=(6 * 300_000 if n < 2 else 6 * 100_000) + n, months=36) for n in range(GRANTS)]
    award_handler = delivery(
        pg,
        GrantAwarded,
        lambda e, uow: award_cases.award_grant(uow, e.payload, policy=POLICY, payee_sort_code="040004"),
    )
    for envelope in awards:
        award_handler.apply(envelope)
        open_first(pg, envelope.payload.grant_id)
    report = delivery(pg, ReportAccepted, lambda e, uow: award_cases.accept_report(uow, e.payload, policy=POLICY))
    jobs: list[Callable[[], None]] = []
    for n in range(GRANTS):
        for period in range(1, 6):
            envelope = accepted(f"c{n}", period=period)
            twin = envelope.model_copy(update={"event_id": new_id()})  # the same acceptance, published twice
            jobs += [lambda e=envelope: report.apply(e)] * 2 + [lambda e=twin: report.apply(e)]  # type: ignore[misc]
    jobs += [approval(pg, who) for who in ("bob", "carol") for _ in range(12)]
    workers = Workers(pg, bank, jobs)
    started = time.perf_counter()
    threads = [threading.Thread(target=workers.run, args=(seed,)) for seed in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    print(f"\n{WORKERS} workers x {ACTIONS} actions in {elapsed:.1f}s; refused or retried: {dict(workers.retried)}")
    assert workers.errors == []
    for job in workers.jobs:  # what no worker got round to, done now
        job()
    drain(pg, bank)
    assert_paid_exactly_once(pg, bank, {e.payload.grant_id: e.payload.amount_pence for e in awards})


def open_first(sessions: Sessions, grant_id: str) -> None:
    """Agreement signed and plan endorsed: tranche 1 is released."""
    with UnitOfWork(sessions) as uow:
        conditions.record_agreement(
            uow,
            grant_id,
            staff("fiona"),
            signed_on=AWARDED_AT.date(),
            reference=None,
            policy=POLICY,
            clock=lambda: AWARDED_AT,
        )
        conditions.endorse_plan(uow, grant_id, staff("asha"), note=None, policy=POLICY, clock=lambda: AWARDED_AT)
        uow.commit()


def approval(sessions: Sessions, approver: str) -> Callable[[], None]:
    """Approve whichever tranche awaits approval first (two approvers race for the same one)."""

    def approve() -> None:
        with sessions() as session:
            waiting = session.scalars(select(Tranche.tranche_id).where(Tranche.status == "awaiting_approval")).first()
        if waiting is not None:
            with UnitOfWork(sessions) as uow:
                releases.approve(uow, waiting, staff(approver, Role.FINANCE_APPROVER))
                uow.commit()

    return approve


def drain(sessions: Sessions, bank: Bank) -> None:
    """Release what waited for the tranche before it, approve, dispatch, settle and poll until nothing moves (the
    workers' loops after the storm)."""
    provider = bank.provider(timeout=5)
    try:
        for _ in range(20):
            due = conditions.due_turn(Database(sessions), policy=POLICY, clock=lambda: AWARDED_AT)
            while _awaiting(sessions):
                approval(sessions, "bob")()
            sent = dispatch_turn(Database(sessions), provider, max_attempts=3)
            bank.settle_now()
            polled = poll_turn(Database(sessions), provider, max_attempts=3)
            if not due and not sent and not polled and not _awaiting(sessions):
                return
    finally:
        provider.close()


def _awaiting(sessions: Sessions) -> bool:
    with sessions() as session:
        waiting = session.scalars(select(Tranche.tranche_id).where(Tranche.status == "awaiting_approval")).first()
    return waiting is not None


def assert_paid_exactly_once(sessions: Sessions, bank: Bank, awards: dict[str, int]) -> None:
    """Every tranche one settled bank payment of its amount; every grant completed; the ledger holds."""
    with sessions() as session:
        rows = session.execute(select(Tranche.grant_id, Tranche.number, Tranche.amount_pence, Tranche.status)).all()
        statuses = dict(session.execute(select(Grant.grant_id, Grant.status)).all())
        settled = Counter(
            session.scalars(select(PaymentInstruction.tranche_id).where(PaymentInstruction.status == "settled"))
        )
    assert {status for *_, status in rows} == {"settled"} and set(settled.values()) == {1}
    assert statuses == dict.fromkeys(awards, "completed")
    lines = Counter((ln["reference"], ln["amount_pence"]) for ln in bank.settlements() if ln["kind"] == "settled")
    for grant_id, number, amount, _ in rows:
        assert lines[(bank_reference(grant_id, number), amount)] == 1, (grant_id, number)
    assert sum(amount for *_, amount, _ in rows) == sum(awards.values())
    assert ledger_failures(sessions) == []


def test_concurrent_variations_of_one_grant_leave_one_pending(pg: Sessions) -> None:
    award = awarded("v1", amount=600_000, months=36)
    delivery(
        pg,
        GrantAwarded,
        lambda e, uow: award_cases.award_grant(uow, e.payload, policy=POLICY, payee_sort_code="040004"),
    ).apply(award)
    with UnitOfWork(pg) as uow:
        award_cases.open_round(uow, round_opened(10**9).payload)
        uow.commit()
    outcomes: Counter[str] = Counter()

    def ask(n: int) -> None:
        try:
            with UnitOfWork(pg) as uow:
                variations.request(
                    uow,
                    "v1",
                    staff(f"officer{n}", Role.FINANCE_OFFICER),
                    variations.VariationRequest("reprofile", "more", 600_000 + n),
                    clock=lambda: AWARDED_AT,
                )
                uow.commit()
            outcomes["pending"] += 1
        except AppError as refused:
            outcomes[refused.code] += 1
        except IntegrityError:
            outcomes["refused by the database"] += 1

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(1, WORKERS + 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"\nconcurrent variation requests: {dict(outcomes)}")
    with pg() as session:
        pending = session.scalars(select(Variation).where(Variation.status == "pending_approval")).all()
    assert len(pending) == 1 and outcomes["pending"] == 1 and sum(outcomes.values()) == WORKERS
