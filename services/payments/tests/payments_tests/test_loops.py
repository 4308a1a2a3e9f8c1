"""The worker loops one turn at a time against a real sandbox bank: nothing paid twice, ledger balanced."""

import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.auth import Role
from grants_shared.delivery.writer import Database
from payments import bootstrap
from payments.adapters.ledger_store import balances
from payments.adapters.orm import Grant
from payments.adapters.provider import ProviderError, SandboxBankProvider
from payments.consumers.loops import dispatch_turn, poll_turn, returns_turn
from payments.read.ledger_check import run_checks
from payments_tests.bank import Bank
from payments_tests.conftest import TEST_POLICY_FILE
from payments_tests.kit import (
    accepted,
    award_and_open,
    awarded,
    bearer,
    deliver,
    events,
    instructions,
    on_grant_awarded,
    on_report_accepted,
    tranches,
)

Sessions = sessionmaker[Session]
ATTEMPTS = 3


def dispatch(sessions: Sessions, provider: SandboxBankProvider) -> int:
    """One dispatch turn."""
    return dispatch_turn(Database(sessions), provider, max_attempts=ATTEMPTS)


def poll(sessions: Sessions, provider: SandboxBankProvider) -> int:
    """One polling turn."""
    return poll_turn(Database(sessions), provider, max_attempts=ATTEMPTS)


def assert_ledger_holds(sessions: Sessions) -> None:
    """Every ledger invariant holds on the database."""
    with sessions() as session:
        failed = [r for r in run_checks(session) if not r.ok]
    assert failed == []


def test_a_grant_goes_from_award_to_two_settled_tranches_with_the_ledger_balanced(
    sessions: Sessions, provider: SandboxBankProvider, bank: Bank
) -> None:
    award_and_open(sessions, awarded(amount=800_001, months=12), on_grant_awarded)
    assert dispatch(sessions, provider) == 1
    [first] = instructions(sessions)
    assert first.status == "instructed" and bank.payment_for(first.instruction_id)["amount_pence"] == 400_001
    assert poll(sessions, provider) == 1 and instructions(sessions)[0].status == "instructed"  # still pending
    bank.settle_now()
    poll(sessions, provider)
    deliver(sessions, accepted(period=1), on_report_accepted)
    dispatch(sessions, provider)
    bank.settle_now()
    poll(sessions, provider)
    assert [i.status for i in instructions(sessions)] == ["settled", "settled"]
    assert [t.status for t in tranches(sessions)] == ["settled", "settled"]
    [completed] = events(sessions, "grant-completed")
    assert completed["paid_pence"] == completed["awarded_pence"] == 800_001
    assert len(events(sessions, "payment-instructed")) == len(events(sessions, "payment-settled")) == 2
    with sessions() as session:
        assert session.get(Grant, "g-1").status == "completed"  # type: ignore[union-attr]
        assert {a: b for a, b in balances(session, None).items() if b} == {
            "fund:awarded": 800_001,
            "cash:paid": -800_001,
        }
    assert_ledger_holds(sessions)


def test_a_bank_failure_is_recorded_and_retried_with_a_new_instruction(
    sessions: Sessions, provider: SandboxBankProvider, bank: Bank
) -> None:
    award_and_open(sessions, awarded(amount=800_000, months=12), on_grant_awarded)
    bank.queue("fail")
    dispatch(sessions, provider)
    failed, retry = instructions(sessions)
    assert (failed.status, retry.status, retry.attempt) == ("failed", "created", 2)
    assert failed.instruction_id != retry.instruction_id
    [event] = events(sessions, "payment-failed")
    assert event["instruction_id"] == failed.instruction_id and "insufficient funds" in event["reason"]
    dispatch(sessions, provider)
    bank.settle_now()
    poll(sessions, provider)
    assert [i.status for i in instructions(sessions)] == ["failed", "settled"]
    assert bank.payment_for(failed.instruction_id)["status"] == "failed"  # type: ignore[index]
    assert_ledger_holds(sessions)


def test_a_timeout_is_resolved_by_asking_the_bank_with_exactly_one_payment(
    sessions: Sessions, provider: SandboxBankProvider, bank: Bank
) -> None:
    award_and_open(sessions, awarded(amount=800_000, months=12), on_grant_awarded)
    bank.queue("timeout")
    started = time.monotonic()
    dispatch(sessions, provider)
    assert time.monotonic() - started < 1.5  # we gave up waiting, then asked
    [instruction] = instructions(sessions)
    payment = bank.payment_for(instruction.instruction_id)
    assert instruction.status == "instructed" and instruction.provider_payment_id == payment["payment_id"]  # type: ignore[index]
    assert dispatch(sessions, provider) == 0  # nothing left to send: no second payment
    assert len(events(sessions, "payment-instructed")) == 1


CRASHING_TURN = (
    "from grants_shared.delivery.writer import Database; from payments import bootstrap; "
    "from payments.consumers import loops; "
    "loops.dispatch_turn(Database(bootstrap.sessions()), bootstrap.provider(), max_attempts=3)"
)


def test_a_worker_killed_after_the_bank_call_pays_exactly_once(
    env: str, sessions: Sessions, provider: SandboxBankProvider, bank: Bank, tmp_path: Path
) -> None:
    award_and_open(sessions, awarded(amount=800_000, months=12), on_grant_awarded)
    [instruction] = instructions(sessions)
    crash_env = {
        **os.environ,
        "PAYMENTS_DATABASE_URL": env,
        "SANDBOX_BANK_URL": bank.base_url,
        "SANDBOX_BANK_API_KEY": bank.api_key,
        "GRANTS_CRASH_AT": "payments.after_bank_call",
        "GRANTS_CRASH_MARKER_DIR": str(tmp_path),
    }
    died = subprocess.run([sys.executable, "-c", CRASHING_TURN], env=crash_env, capture_output=True, timeout=60)
    assert died.returncode == -signal.SIGKILL, died.stderr.decode()[-2000:]
    reached_bank = bank.payment_for(instruction.instruction_id)
    assert reached_bank is not None  # the bank took the payment ...
    assert instructions(sessions)[0].status == "created"  # ... and the worker died before recording it
    dispatch(sessions, provider)
    [after] = instructions(sessions)
    assert after.status == "instructed" and after.provider_payment_id == reached_bank["payment_id"]
    assert bank.payment_for(instruction.instruction_id) == reached_bank  # the same payment, not a second one
    assert len(events(sessions, "payment-instructed")) == 1
    assert_ledger_holds(sessions)


def test_an_unreachable_bank_leaves_the_instruction_for_the_next_turn(
    sessions: Sessions, provider: SandboxBankProvider, bank: Bank
) -> None:
    award_and_open(sessions, awarded(amount=800_000, months=12), on_grant_awarded)
    unreachable = SandboxBankProvider("http://127.0.0.1:9", api_key=bank.api_key, timeout=0.2)
    with pytest.raises(ProviderError):  # nothing answered: the worker's loop backs off instead of asking again at once
        dispatch(sessions, unreachable)
    assert [i.status for i in instructions(sessions)] == ["created"] and events(sessions, "payment-failed") == []
    dispatch(sessions, provider)
    assert [i.status for i in instructions(sessions)] == ["instructed"]


def test_a_refused_instruction_fails_without_postings_and_retries_stop_at_the_limit(
    sessions: Sessions,
    provider: SandboxBankProvider,
    monkeypatch: pytest.MonkeyPatch,
    client: TestClient,
    tmp_path: Path,
) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text(
        json.dumps({**json.loads(Path(TEST_POLICY_FILE).read_text()), "second_person_above_pence": 10**15})
    )
    monkeypatch.setenv("PAYMENTS_RELEASE_POLICY_FILE", str(policy))
    bootstrap.settings.cache_clear()
    award_and_open(sessions, awarded(amount=3 * 10**13, months=12), on_grant_awarded)  # above the bank's limit: 422
    for _ in range(ATTEMPTS + 1):
        dispatch(sessions, provider)
    assert [i.status for i in instructions(sessions)] == ["failed"] * ATTEMPTS
    assert tranches(sessions)[0].status == "failed"
    assert len(events(sessions, "payment-failed")) == ATTEMPTS and events(sessions, "payment-instructed") == []
    assert_ledger_holds(sessions)
    tranche_id = tranches(sessions)[0].tranche_id
    retried = client.post(f"/tranches/{tranche_id}/retry", headers=bearer(Role.FINANCE_OFFICER, subject="fiona"))
    assert retried.status_code == 200 and retried.json()["status"] == "released"
    assert [i.status for i in instructions(sessions)][-1] == "created" and len(instructions(sessions)) == 4


def test_a_returned_payment_is_read_from_the_settlement_report(sessions: Sessions, clock_bank: Bank) -> None:
    # The module's own bank returns an hour after settling by its clock, which only the test moves: the payment is
    # seen settled first, however slow the machine.
    provider = clock_bank.provider(timeout=5)
    award_and_open(sessions, awarded(amount=800_000, months=12), on_grant_awarded)
    clock_bank.queue("return")
    dispatch(sessions, provider)
    clock_bank.settle_now()
    poll(sessions, provider)
    assert instructions(sessions)[0].status == "settled"
    assert returns_turn(Database(sessions), provider) == 0  # not back yet
    clock_bank.move_clock(clock_bank.clock() + timedelta(hours=2))
    deadline = time.monotonic() + 30
    while returns_turn(Database(sessions), provider) == 0:
        assert time.monotonic() < deadline, "the bank never returned the payment"
        time.sleep(0.1)
    assert instructions(sessions)[0].status == "returned" and tranches(sessions)[0].status == "returned"
    [returned] = events(sessions, "payment-returned")
    assert returned["amount_pence"] == 400_000 and "account closed" in returned["reason"]
    assert returns_turn(Database(sessions), provider) == 0 and len(events(sessions, "payment-returned")) == 1
    with sessions() as session:
        totals = balances(session, None)
    assert totals["cash:paid"] == -400_000 and totals["cash:returned"] == 400_000
    assert totals["grant:g-1:commitment"] == -800_000  # the grant is owed the returned money again
    assert_ledger_holds(sessions)
