"""Reconciliation against a real bank: clean books match one to one; injected differences are raised once and shown,
and announced once more when resolved; a bank that takes another amount than instructed is a difference at once, which
only an approver resolving it by hand closes (more of that in test_reconciliation_by_hand.py).
"""

import json
from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from grants_shared import tables
from grants_shared.auth import Role
from grants_shared.delivery.writer import Database
from grants_shared.ids import new_id
from grants_shared.uow import UnitOfWork
from payments.adapters.orm import ProviderCursor
from payments.consumers.loops import dispatch_turn, poll_turn
from payments.usecases.reconciliation import CURSOR, reconcile_turn
from payments.usecases.settlement import record_instructed, settle
from payments_tests.bank import Bank
from payments_tests.kit import award_and_open, awarded, bearer, events, instructions, ledger_failures, on_grant_awarded

Sessions = sessionmaker[Session]
FINANCE = bearer(Role.FINANCE_OFFICER, subject="fiona")
APPROVER = bearer(Role.FINANCE_APPROVER, subject="amira")
GRACE_S = 300


def reconcile_from_now(sessions: Sessions, bank: Bank) -> None:
    """Start reading the bank's report from its time now (the bank outlives each test's database)."""
    with UnitOfWork(sessions) as uow:
        uow.session.add(ProviderCursor(name=CURSOR, position=bank.clock()))
        uow.commit()


def reconcile(sessions: Sessions, bank: Bank) -> int:
    """One reconciliation turn, by the bank's clock (the tests move it on); returns the differences it raised."""
    provider = bank.provider(timeout=5)
    try:
        return reconcile_turn(Database(sessions), provider, grace_s=GRACE_S, clock=bank.clock)
    finally:
        provider.close()


def envelopes(sessions: Sessions, event_type: str) -> list[dict[str, Any]]:
    """Whole envelopes of one event type in the outbox (subject included), in order."""
    with sessions() as session:
        rows = session.execute(select(tables.outbox.c.subject, tables.outbox.c.body).order_by(tables.outbox.c.id))
        found = [(subject, json.loads(body)) for subject, body in rows]
    return [
        {**envelope, "outbox_subject": subject} for subject, envelope in found if envelope["event_type"] == event_type
    ]


def later(bank: Bank, minutes: int) -> datetime:
    """Move the bank's clock on by `minutes` (payments due by then settle); the new time."""
    to = bank.clock() + timedelta(minutes=minutes)
    bank.move_clock(to)
    return to


def test_clean_books_match_one_to_one(client: TestClient, sessions: Sessions, clock_bank: Bank) -> None:
    reconcile_from_now(sessions, clock_bank)
    provider = clock_bank.provider(timeout=5)
    award_and_open(sessions, awarded(amount=800_000, months=12), on_grant_awarded)
    dispatch_turn(Database(sessions), provider, max_attempts=3)
    later(clock_bank, 2)  # the bank settles it a minute after instruction
    poll_turn(Database(sessions), provider, max_attempts=3)
    later(clock_bank, 10)
    assert reconcile(sessions, clock_bank) == 0
    view = client.get("/reconciliation", headers=FINANCE).json()
    assert {
        k: view[k]
        for k in ("lines", "matched_lines", "unmatched_lines", "postings", "unmatched_postings", "open_differences")
    } == {
        "lines": 1,
        "matched_lines": 1,
        "unmatched_lines": 0,
        "postings": 1,
        "unmatched_postings": 0,
        "open_differences": 0,
    }
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
        "unmatched_bank_line",
        stray["payment_id"],
        12_345,
    )
    view = client.get("/reconciliation", headers=FINANCE).json()
    assert view["open_differences"] == 1 and view["unmatched_lines"] == 1
    [shown] = view["differences"]
    assert shown["difference_id"] == event["difference_id"] and "12345p" in shown["detail"]
    assert ledger_failures(sessions) == []  # the ledger itself is sound: the difference is with the bank


def test_a_settlement_posted_before_the_bank_settled_is_raised_then_resolved(
    client: TestClient, sessions: Sessions, clock_bank: Bank
) -> None:
    reconcile_from_now(sessions, clock_bank)
    provider = clock_bank.provider(timeout=5)
    award_and_open(sessions, awarded(amount=800_000, months=12), on_grant_awarded)
    clock_bank.queue("delay")  # the bank will settle it ten minutes after instruction, not one
    dispatch_turn(Database(sessions), provider, max_attempts=3)
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
        "unmatched_settlement",
        instruction.instruction_id,
        400_000,
    )
    assert client.get("/reconciliation", headers=FINANCE).json()["unmatched_postings"] == 1
    assert reconcile(sessions, clock_bank) == 0  # still unmatched: not resolved, nothing announced
    assert events(sessions, "reconciliation-difference-resolved") == []
    later(clock_bank, 10)  # now the bank settles it too: the two sides agree
    assert reconcile(sessions, clock_bank) == 0
    view = client.get("/reconciliation", params={"status": "resolved"}, headers=FINANCE).json()
    [shown] = view["differences"]
    assert shown["difference_id"] == event["difference_id"] and shown["resolved_at"] is not None
    assert (shown["resolved_by"], shown["resolution_note"]) == ("reconciliation", None)
    assert view["open_differences"] == 0 and view["matched_lines"] == 1 and view["unmatched_postings"] == 0
    [resolved] = envelopes(sessions, "reconciliation-difference-resolved")
    assert resolved["outbox_subject"] == resolved["subject"] == "g-1"
    assert {k: resolved["payload"][k] for k in ("difference_id", "kind", "grant_id", "resolved_by", "note")} == {
        "difference_id": event["difference_id"],
        "kind": "unmatched_settlement",
        "grant_id": "g-1",
        "resolved_by": "reconciliation",
        "note": None,
    }
    assert datetime.fromisoformat(resolved["payload"]["resolved_at"]) == datetime.fromisoformat(shown["resolved_at"])
    by_hand = client.post(
        f"/reconciliation/differences/{event['difference_id']}/resolve", json={"note": "late"}, headers=APPROVER
    )
    assert by_hand.status_code == 409 and by_hand.json()["resolved_by"] == "reconciliation"  # the match got there first
    later(clock_bank, 10)
    assert reconcile(sessions, clock_bank) == 0  # a repeat turn resolves nothing again and announces nothing
    assert len(events(sessions, "reconciliation-difference-resolved")) == 1
    assert ledger_failures(sessions) == []


def test_a_bank_that_takes_another_amount_than_instructed_is_a_difference_at_once(
    client: TestClient, sessions: Sessions, clock_bank: Bank
) -> None:
    reconcile_from_now(sessions, clock_bank)
    provider = clock_bank.provider(timeout=5)
    award_and_open(sessions, awarded(amount=800_000, months=12), on_grant_awarded)
    clock_bank.queue("alter_amount", amount_delta_pence=1_234)  # the bank will record 401234p for 400000p asked
    dispatch_turn(Database(sessions), provider, max_attempts=3)
    [instruction] = instructions(sessions)
    assert instruction.status == "instructed" and instruction.amount_pence == 400_000
    [found] = events(sessions, "reconciliation-difference-found")
    assert {
        k: found[k]
        for k in (
            "kind",
            "instruction_id",
            "provider_payment_id",
            "grant_id",
            "tranche_id",
            "bank_amount_pence",
            "ledger_amount_pence",
        )
    } == {
        "kind": "instructed_amount_mismatch",
        "instruction_id": instruction.instruction_id,
        "provider_payment_id": instruction.provider_payment_id,
        "grant_id": "g-1",
        "tranche_id": instruction.tranche_id,
        "bank_amount_pence": 401_234,
        "ledger_amount_pence": 400_000,
    }
    assert "401234p" in found["detail"] and "400000p" in found["detail"]
    [instructed] = events(sessions, "payment-instructed")
    assert instructed["amount_pence"] == 400_000  # the books record what was instructed
    balances = client.get("/ledger/balances", headers=FINANCE).json()["balances"]
    assert {b["account"]: b["balance_pence"] for b in balances}["payments:in_flight"] == -400_000
    assert ledger_failures(sessions) == []

    payment = provider.find_by_key(instruction.instruction_id)  # the bank's answer delivered again
    assert payment is not None and payment.amount_pence == 401_234
    with UnitOfWork(sessions) as uow:
        assert not record_instructed(uow, instruction.instruction_id, payment, provider.name)
        uow.commit()
    assert len(events(sessions, "reconciliation-difference-found")) == 1  # raised once
    view = client.get("/reconciliation", headers=FINANCE).json()
    [shown] = view["differences"]
    assert (shown["difference_id"], shown["kind"], shown["resolved_at"]) == (
        found["difference_id"],
        "instructed_amount_mismatch",
        None,
    )

    later(clock_bank, 2)  # the bank settles the amount it took; the ledger settles what it instructed
    poll_turn(Database(sessions), provider, max_attempts=3)
    provider.close()
    assert [i.status for i in instructions(sessions)] == ["settled"]
    assert ledger_failures(sessions) == []
    later(clock_bank, 10)
    # The settlement report shows the bank's amount: one amount_mismatch for the line and the posting it fails to
    # match (both sides have it), never an unmatched settlement besides.
    assert reconcile(sessions, clock_bank) == 1
    assert reconcile(sessions, clock_bank) == 0
    kinds = sorted(e["kind"] for e in events(sessions, "reconciliation-difference-found"))
    assert kinds == ["amount_mismatch", "instructed_amount_mismatch"]
    view = client.get("/reconciliation", headers=FINANCE).json()
    assert (view["open_differences"], view["unmatched_lines"], view["unmatched_postings"]) == (2, 1, 1)
    assert events(sessions, "reconciliation-difference-resolved") == []

    # No match will ever close these: an approver resolves the instructed amount by hand, announced under the grant.
    note = "The bank took 1234p too much; it refunded the grantee (ticket FIN-7)."
    answer = client.post(
        f"/reconciliation/differences/{found['difference_id']}/resolve", json={"note": note}, headers=APPROVER
    )
    assert answer.status_code == 200 and answer.json()["resolved_by"] == "amira"
    [resolved] = envelopes(sessions, "reconciliation-difference-resolved")
    assert resolved["outbox_subject"] == "g-1"
    assert {k: resolved["payload"][k] for k in ("difference_id", "kind", "grant_id", "resolved_by", "note")} == {
        "difference_id": found["difference_id"],
        "kind": "instructed_amount_mismatch",
        "grant_id": "g-1",
        "resolved_by": "amira",
        "note": note,
    }
    assert client.get("/reconciliation", headers=FINANCE).json()["open_differences"] == 1
    assert ledger_failures(sessions) == []


def test_a_posting_the_bank_reports_late_with_another_amount_leaves_one_open_difference(
    client: TestClient, sessions: Sessions, clock_bank: Bank
) -> None:
    reconcile_from_now(sessions, clock_bank)
    provider = clock_bank.provider(timeout=5)
    award_and_open(sessions, awarded(amount=800_000, months=12), on_grant_awarded)
    clock_bank.queue("alter_amount", amount_delta_pence=1_234)  # the bank will settle 401234p, a minute from now
    dispatch_turn(Database(sessions), provider, max_attempts=3)
    [instruction] = instructions(sessions)
    with UnitOfWork(sessions) as uow:  # the books say settled before the bank has
        settle(uow, instruction.instruction_id, clock_bank.clock())
        uow.commit()
    clock_bank.move_clock(clock_bank.clock() + timedelta(seconds=30))
    try:  # no grace period, so the posting the bank has not reported yet is a difference at once
        assert reconcile_turn(Database(sessions), provider, grace_s=0, clock=clock_bank.clock) == 1
        later(clock_bank, 2)  # the bank's line arrives, late and for another amount
        assert reconcile_turn(Database(sessions), provider, grace_s=0, clock=clock_bank.clock) == 1
        assert reconcile_turn(Database(sessions), provider, grace_s=0, clock=clock_bank.clock) == 0
    finally:
        provider.close()
    found = {e["kind"]: e for e in events(sessions, "reconciliation-difference-found")}
    assert sorted(found) == ["amount_mismatch", "instructed_amount_mismatch", "unmatched_settlement"]
    # "The bank does not show it" is no longer true: resolved, once; the amount_mismatch now speaks for both sides.
    [resolved] = events(sessions, "reconciliation-difference-resolved")
    assert (resolved["difference_id"], resolved["kind"], resolved["resolved_by"]) == (
        found["unmatched_settlement"]["difference_id"],
        "unmatched_settlement",
        "reconciliation",
    )
    view = client.get("/reconciliation", params={"status": "open"}, headers=FINANCE).json()
    assert sorted(d["kind"] for d in view["differences"]) == ["amount_mismatch", "instructed_amount_mismatch"]
    assert (view["unmatched_lines"], view["unmatched_postings"]) == (1, 1)
    assert ledger_failures(sessions) == []
