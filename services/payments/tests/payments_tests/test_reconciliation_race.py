"""Two resolvers at once (PostgreSQL): two reconcilers, or a reconciler and an approver resolving by hand; the
difference is resolved, and announced, exactly once.
"""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.auth import Role
from grants_shared.errors import AppError
from grants_shared.http.problems import error_status
from grants_shared.uow import UnitOfWork
from payments.adapters.orm_reconciliation import ReconciliationDifference, SettlementLine
from payments.usecases.differences import raise_difference, resolve_by_hand
from payments.usecases.reconciliation import _resolve
from payments_tests.kit import events, staff

Sessions = sessionmaker[Session]
FOUND_AT = datetime(2030, 1, 1, 9, tzinfo=UTC)


def a_difference_since_matched(sessions: Sessions) -> str:
    """An open difference about a bank line that has since been matched to a ledger transaction; its id."""
    with UnitOfWork(sessions) as uow:
        uow.session.add(
            SettlementLine(
                line_id="pay_race:settled",
                provider="sandbox_bank",
                provider_payment_id="pay_race",
                idempotency_key="not-ours",
                kind="settled",
                amount_pence=500,
                reference="RACE",
                occurred_at=FOUND_AT,
                received_at=FOUND_AT,
                transaction_id="txn-race",
                matched_at=FOUND_AT + timedelta(minutes=1),
            )
        )
        raise_difference(
            uow,
            "unmatched_bank_line",
            "pay_race:settled",
            FOUND_AT,
            detail="a stray line",
            provider_payment_id="pay_race",
            bank_amount_pence=500,
        )
        uow.commit()
    [found] = events(sessions, "reconciliation-difference-found")
    return str(found["difference_id"])


def wait_until_blocked_on_a_lock(sessions: Sessions, timeout: float = 10.0) -> None:
    """Return once another transaction in this database waits on a lock (the second reconciler's UPDATE)."""
    deadline = time.monotonic() + timeout
    with sessions() as session:
        while time.monotonic() < deadline:
            waiting = session.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar_one()
            session.rollback()
            if waiting:
                return
            time.sleep(0.02)
    raise AssertionError("the second reconciler never waited on the first one's row lock")


def test_two_reconcilers_racing_resolve_and_announce_a_difference_once(env: str, sessions: Sessions) -> None:
    if not env.startswith("postgresql"):
        pytest.skip("needs PostgreSQL: SQLite serialises every writer, so reconcilers cannot interleave")
    difference_id = a_difference_since_matched(sessions)
    first_at, second_at = FOUND_AT + timedelta(minutes=5), FOUND_AT + timedelta(minutes=6)
    second: dict[str, int] = {}

    def second_reconciler() -> None:
        with UnitOfWork(sessions) as uow:
            second["resolved"] = _resolve(uow, second_at)
            uow.commit()

    thread = threading.Thread(target=second_reconciler)
    with UnitOfWork(sessions) as first:
        assert _resolve(first, first_at) == 1  # resolved and row-locked, not yet committed
        thread.start()  # it sees the difference still open, and its UPDATE waits for ours
        try:
            wait_until_blocked_on_a_lock(sessions)
        finally:
            first.commit()
    thread.join(timeout=20)
    assert not thread.is_alive() and second == {"resolved": 0}
    [resolved] = events(sessions, "reconciliation-difference-resolved")
    assert (resolved["difference_id"], resolved["kind"], resolved["grant_id"]) == (
        difference_id,
        "unmatched_bank_line",
        None,
    )
    assert datetime.fromisoformat(resolved["resolved_at"]) == first_at
    with sessions() as session:
        row = session.get(ReconciliationDifference, difference_id)
        assert row is not None and row.resolved_at == first_at


def test_an_approver_racing_a_reconciler_is_refused_and_announces_nothing(env: str, sessions: Sessions) -> None:
    if not env.startswith("postgresql"):
        pytest.skip("needs PostgreSQL: SQLite serialises every writer, so resolvers cannot interleave")
    difference_id = a_difference_since_matched(sessions)
    matched_at, by_hand_at = FOUND_AT + timedelta(minutes=5), FOUND_AT + timedelta(minutes=6)
    approver: dict[str, object] = {}

    def approver_by_hand() -> None:
        with UnitOfWork(sessions) as uow:
            try:
                approver["answer"] = resolve_by_hand(
                    uow,
                    difference_id,
                    staff("amira", Role.FINANCE_APPROVER),
                    note="a stray payment",
                    clock=lambda: by_hand_at,
                )
                uow.commit()
            except AppError as problem:
                approver["problem"] = (error_status(problem), problem.code, problem.extra)

    thread = threading.Thread(target=approver_by_hand)
    with UnitOfWork(sessions) as reconciler:
        assert _resolve(reconciler, matched_at) == 1  # resolved and row-locked, not yet committed
        thread.start()  # the approver reads it still open, and their UPDATE waits for ours
        try:
            wait_until_blocked_on_a_lock(sessions)
        finally:
            reconciler.commit()
    thread.join(timeout=20)
    assert not thread.is_alive()
    assert approver == {
        "problem": (
            409,
            "difference-already-resolved",
            {"resolved_at": matched_at.isoformat(), "resolved_by": "reconciliation"},
        )
    }
    [resolved] = events(sessions, "reconciliation-difference-resolved")
    assert (resolved["difference_id"], resolved["resolved_by"], resolved["note"]) == (
        difference_id,
        "reconciliation",
        None,
    )
    with sessions() as session:
        row = session.get(ReconciliationDifference, difference_id)
        assert row is not None and (row.resolved_at, row.resolved_by, row.resolution_note) == (
            matched_at,
            "reconciliation",
            None,
        )
