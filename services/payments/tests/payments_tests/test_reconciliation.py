"""Reconciliation against a real bank: clean books match one to one; injected differences are raised once and shown."""

from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.auth import Role
from grants_shared.ids import new_id
from grants_shared.uow import UnitOfWork
from payments.adapters.orm import ProviderCursor
from payments.adapters.provider import SandboxBankProvider
from payments.consumers import on_grant_awarded
from payments.loops import dispatch_turn, poll_turn
from payments.reconciliation import CURSOR, reconcile_turn
from payments.settlement_flow import settle
from payments_tests.bank import Bank
from payments_tests.kit import award_and_open, awarded, bearer, events, instructions, ledger_failures

Sessions = sessionmaker[Session]
FINANCE = bearer(Role.FINANCE_OFFICER, subject="fiona")
GRACE_S = 300


def reconcile_from_now(sessions: Sessions, bank: Bank) -> None:
    """Start reading the bank's report from its time now (the bank outlives each test's database)."""
    with UnitOfWork(sessions) as uow:
        uow.session.add(ProviderCursor(name=CURSOR, position=bank.clock()))
        uow.commit()


def reconcile(sessions: Sessions, bank: Bank) -> int:
    """One reconciliation turn; returns the differences it raised."""
    provider = SandboxBankProvider(bank.base_url, timeout=5)
    try:
        return reconcile_turn(sessions, provider, grace_s=GRACE_S)
    finally:
        provider.close()


def later(bank: Bank, minutes: int) -> datetime:
    """Move the bank's clock on by `minutes` (payments due by then settle); the new time."""
    to = bank.clock() + timedelta(minutes=minutes)
    bank.move_clock(to)
    return to


def test_clean_books_match_one_to_one(client: TestClient, sessions: Sessions, clock_bank: Bank) -> None:
    reconcile_from_now(sessions, clock_bank)
    provider = SandboxBankProvider(clock_bank.base_url, timeout=5)
    award_and_open(sessions, awarded(amount=800_000, months=12), on_grant_awarded)
    dispatch_turn(sessions, provider, max_attempts=3)
    later(clock_bank, 2)  # the bank settles it a minute after instruction
    poll_turn(sessions, provider, max_attempts=3)
    later(clock_bank, 10)
    assert reconcile(sessions, clock_bank) == 0
    view = client.get("/reconciliation", headers=FINANCE).json()
    assert {k: view[k] for k in ("lines", "matched_lines", "unmatched_lines", "postings", "unmatched_postings",
                                 "open_differences")} == {"lines": 1, "matched_lines": 1, "unmatched_lines": 0,
                                                          "postings": 1, "unmatched_postings": 0,
                                                          "open_differences": 0}  # fmt: skip
    provider.close()


def test_a_payment_the_ledger_never_made_is_raised_once_after_the_grace_period(
    client: TestClient, sessions: Sessions, clock_bank: Bank
) -> None:
    reconcile_from_now(sessions, clock_bank)
    stray = clock_bank.pay_directly(f"not-ours-{new_id()}", 12_345, "STRAY-1")
    later(clock_bank, 2)
    assert reconcile(sessions, clock_bank) == 0  # within the grace period: the ledger may still catch up
    later(clock_bank, 10)
    assert reconcile(sessions, clock_bank) == 1
    assert reconcile(sessions, clock_bank) == 0  # raised once, not every turn
    [event] = events(sessions, "reconciliation-difference-found")
    assert (event["kind"], event["provider_payment_id"], event["bank_amount_pence"]) == (
        "unmatched_bank_line", stray["payment_id"], 12_345)  # fmt: skip
    view = client.get("/reconciliation", headers=FINANCE).json()
    assert view["open_differences"] == 1 and view["unmatched_lines"] == 1
    [shown] = view["differences"]
    assert shown["difference_id"] == event["difference_id"] and "12345p" in shown["detail"]
    assert ledger_failures(sessions) == []  # the ledger itself is sound: the difference is with the bank


def test_a_settlement_posted_before_the_bank_settled_is_raised_then_resolved(
    client: TestClient, sessions: Sessions, clock_bank: Bank
) -> None:
    reconcile_from_now(sessions, clock_bank)
    provider = SandboxBankProvider(clock_bank.base_url, timeout=5)
    award_and_open(sessions, awarded(amount=800_000, months=12), on_grant_awarded)
    clock_bank.queue("delay")  # the bank will settle it ten minutes after instruction, not one
    dispatch_turn(sessions, provider, max_attempts=3)
    provider.close()
    [instruction] = instructions(sessions)
    with UnitOfWork(sessions) as uow:  # the injected fault: the books say paid, the bank has not paid yet
        settle(uow, instruction.instruction_id, clock_bank.clock())
        uow.commit()
    assert reconcile(sessions, clock_bank) == 0
    later(clock_bank, 7)  # past the grace period, before the bank settles
    assert reconcile(sessions, clock_bank) == 1
    [event] = events(sessions, "reconciliation-difference-found")
    assert (event["kind"], event["instruction_id"], event["ledger_amount_pence"]) == (
        "unmatched_settlement", instruction.instruction_id, 400_000)  # fmt: skip
    assert client.get("/reconciliation", headers=FINANCE).json()["unmatched_postings"] == 1
    later(clock_bank, 10)  # now the bank settles it too: the two sides agree
    assert reconcile(sessions, clock_bank) == 0
    view = client.get("/reconciliation", params={"status": "resolved"}, headers=FINANCE).json()
    assert [d["difference_id"] for d in view["differences"]] == [event["difference_id"]]
    assert view["open_differences"] == 0 and view["matched_lines"] == 1 and view["unmatched_postings"] == 0
