"""Payments trusts nothing the bank says: its key is required, answers and returns must be about our payment (its
instruction, payment id and amount), and the report cursor the bank hands back is never kept beyond our clock.

Each case runs against a real sandbox bank of the module's own (its clock and memory are moved and wiped here).
"""

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.clock import as_utc, now
from grants_shared.delivery.writer import Database
from grants_shared.uow import UnitOfWork
from payments.adapters.orm import ProviderCursor
from payments.adapters.provider import ProviderError, SandboxBankProvider
from payments.adapters.records import SETTLEMENTS_CURSOR
from payments.config import Settings
from payments.consumers.loops import dispatch_turn, poll_turn, returns_turn
from payments.usecases.cursors import DEFAULT_SKEW_S
from payments.usecases.differences import disagreements
from payments.usecases.reconciliation import CURSOR, reconcile_turn
from payments.usecases.settlement import apply_outcome
from payments_tests.bank import Bank, start_bank
from payments_tests.kit import award_and_open, awarded, events, instructions, ledger_failures, on_grant_awarded

Sessions = sessionmaker[Session]
ATTEMPTS = 3


@pytest.fixture(scope="module")
def own_bank(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bank]:
    """A bank of the module's own: these tests reset it and move its clock."""
    bank = start_bank(tmp_path_factory.mktemp("trust_bank"), SANDBOX_BANK_RETURN_AFTER_SECONDS="0.2")
    yield bank
    bank.stop()


@pytest.fixture
def bank(own_bank: Bank) -> Bank:
    """The module's bank as freshly started (no payments, behaviours or clock moves)."""
    own_bank.reset()
    return own_bank


@pytest.fixture
def provider(bank: Bank) -> Iterator[SandboxBankProvider]:
    """Payments' adapter on the bank, with the bank's key."""
    adapter = bank.provider()
    yield adapter
    adapter.close()


def paid(sessions: Sessions, provider: SandboxBankProvider, bank: Bank) -> str:
    """Tranche 1 of a new grant instructed and settled; its instruction id."""
    award_and_open(sessions, awarded(amount=800_000, months=12), on_grant_awarded)
    dispatch_turn(Database(sessions), provider, max_attempts=ATTEMPTS)
    bank.settle_now()
    poll_turn(Database(sessions), provider, max_attempts=ATTEMPTS)
    [instruction] = instructions(sessions)
    assert instruction.status == "settled"
    return instruction.instruction_id


def returned_at_the_bank(bank: Bank, key: str) -> dict[str, Any]:
    """Wait until the bank's payment for `key` has come back (it returns 0.2 s after settling)."""
    deadline = time.monotonic() + 20
    while (payment := bank.payment_for(key)) is None or payment["status"] != "returned":
        assert time.monotonic() < deadline, payment
        time.sleep(0.05)
    return payment


def differences(sessions: Sessions, kind: str) -> list[dict[str, Any]]:
    """The reconciliation differences of one kind raised so far."""
    return [e for e in events(sessions, "reconciliation-difference-found") if e["kind"] == kind]


def test_a_wrong_key_is_refused_and_fails_no_instruction(
    sessions: Sessions, provider: SandboxBankProvider, bank: Bank
) -> None:
    award_and_open(sessions, awarded(amount=800_000, months=12), on_grant_awarded)
    [instruction] = instructions(sessions)
    for key in (None, "x" * 32):
        stranger = SandboxBankProvider(bank.base_url, api_key=key, timeout=5)
        with pytest.raises(ProviderError, match="credential"):  # the loop backs off: nobody's payment failed
            dispatch_turn(Database(sessions), stranger, max_attempts=ATTEMPTS)
        stranger.close()
    assert [i.status for i in instructions(sessions)] == ["created"] and events(sessions, "payment-failed") == []
    assert bank.payment_for(instruction.instruction_id) is None  # nothing reached the bank
    dispatch_turn(Database(sessions), provider, max_attempts=ATTEMPTS)
    assert [i.status for i in instructions(sessions)] == ["instructed"]


def test_a_return_of_another_payment_under_our_key_is_not_applied_but_raised(
    sessions: Sessions, provider: SandboxBankProvider, bank: Bank
) -> None:
    instruction_id = paid(sessions, provider, bank)
    [ours] = instructions(sessions)
    bank.reset()  # the bank forgets our payment; another, under our instruction id, is made and comes back
    bank.queue("return")
    other = bank.pay_directly(instruction_id, 399_999, "NOT-OURS")
    bank.settle_now()
    returned_at_the_bank(bank, instruction_id)

    assert returns_turn(Database(sessions), provider) == 0
    assert [i.status for i in instructions(sessions)] == ["settled"] and events(sessions, "payment-returned") == []
    [found] = differences(sessions, "return_mismatch")
    assert (found["instruction_id"], found["provider_payment_id"], found["grant_id"]) == (
        instruction_id,
        other["payment_id"],
        "g-1",
    )
    assert (found["bank_amount_pence"], found["ledger_amount_pence"]) == (399_999, 400_000)
    assert ours.provider_payment_id in found["detail"] and "399999p, not 400000p" in found["detail"]
    assert returns_turn(Database(sessions), provider) == 0 and len(differences(sessions, "return_mismatch")) == 1
    # Reconciliation does not raise the same line again as unmatched: the return_mismatch says what is wrong.
    with UnitOfWork(sessions) as uow:
        uow.session.add(ProviderCursor(name=CURSOR, position=bank.clock() - timedelta(hours=1)))
        uow.commit()
    reconcile_turn(Database(sessions), provider, grace_s=0)
    assert [e["kind"] for e in events(sessions, "reconciliation-difference-found")].count("unmatched_bank_line") == 0
    assert ledger_failures(sessions) == []


def test_an_answer_about_another_payment_settles_nothing(
    sessions: Sessions, provider: SandboxBankProvider, bank: Bank
) -> None:
    award_and_open(sessions, awarded(amount=800_000, months=12), on_grant_awarded)
    dispatch_turn(Database(sessions), provider, max_attempts=ATTEMPTS)
    [instruction] = instructions(sessions)
    stray = bank.pay_directly("someone-else", 400_000, "STRAY")
    bank.settle_now()
    answer = provider.get(stray["payment_id"])  # a real, settled answer: about another payment
    assert answer.status == "settled"
    with UnitOfWork(sessions) as uow:
        apply_outcome(uow, instruction.instruction_id, answer, ATTEMPTS)
        uow.commit()
    assert [i.status for i in instructions(sessions)] == ["instructed"] and events(sessions, "payment-settled") == []
    [found] = differences(sessions, "answer_mismatch")
    assert found["instruction_id"] == instruction.instruction_id and found["provider_payment_id"] == stray["payment_id"]
    assert "'someone-else'" in found["detail"] and instruction.provider_payment_id in found["detail"]
    poll_turn(Database(sessions), provider, max_attempts=ATTEMPTS)  # asked about our own payment: it counts
    assert [i.status for i in instructions(sessions)] == ["settled"]
    assert ledger_failures(sessions) == []


def test_disagreements_name_each_field_the_bank_has_otherwise() -> None:
    same = {"instruction_id": "ins-1", "payment_id": "pay_1", "amount_pence": 500}
    bank = {"bank_key": "ins-1", "bank_payment_id": "pay_1", "bank_amount_pence": 500}
    assert disagreements(**same, **bank) == []
    assert disagreements(**same, **{**bank, "bank_amount_pence": 501}) == ["501p, not 500p"]
    assert disagreements(**same, **{**bank, "bank_payment_id": "pay_2"}) == ["payment 'pay_2', not 'pay_1'"]
    assert disagreements(**same, **{**bank, "bank_key": "ins-2"}) == ["instruction 'ins-2', not 'ins-1'"]
    assert disagreements(**{**same, "payment_id": None, "amount_pence": None}, **bank) == []


def cursors(sessions: Sessions) -> dict[str, datetime]:
    """Where each report cursor is stored."""
    with sessions() as session:
        return {row.name: as_utc(row.position) for row in session.query(ProviderCursor).all() if row.position}


def test_a_cursor_in_the_future_is_never_kept(sessions: Sessions, provider: SandboxBankProvider, bank: Bank) -> None:
    paid(sessions, provider, bank)
    bank.move_clock(datetime(2199, 1, 1, tzinfo=UTC))  # the bank's clock (and so its cursor) in 2199
    returns_turn(Database(sessions), provider)
    assert reconcile_turn(Database(sessions), provider, grace_s=300) == 0  # no "late" lines by a clock in 2199
    latest = now() + timedelta(seconds=DEFAULT_SKEW_S)
    stored = cursors(sessions)
    assert set(stored) == {SETTLEMENTS_CURSOR, CURSOR} and all(at <= latest for at in stored.values()), stored


def test_a_stored_cursor_in_the_future_is_not_used(
    sessions: Sessions, provider: SandboxBankProvider, bank: Bank
) -> None:
    bank.queue("return")
    instruction_id = paid(sessions, provider, bank)
    returned_at_the_bank(bank, instruction_id)
    with UnitOfWork(sessions) as uow:  # a cursor in 2199 kept before this check existed
        uow.session.add(ProviderCursor(name=SETTLEMENTS_CURSOR, position=datetime(2199, 1, 1, tzinfo=UTC)))
        uow.commit()
    assert returns_turn(Database(sessions), provider) == 1  # read from the start: the return is not skipped
    assert [i.status for i in instructions(sessions)] == ["returned"]
    assert cursors(sessions)[SETTLEMENTS_CURSOR] <= now() + timedelta(seconds=DEFAULT_SKEW_S)
    assert ledger_failures(sessions) == []


def test_production_does_not_start_without_the_bank_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRANTS_ENV", "production")
    monkeypatch.setenv("GRANTS_OIDC_ISSUER", "http://127.0.0.1:9/never-asked")
    monkeypatch.delenv("SANDBOX_BANK_API_KEY", raising=False)
    with pytest.raises(ValidationError, match="SANDBOX_BANK_API_KEY"):
        Settings()
    monkeypatch.setenv("SANDBOX_BANK_API_KEY", "short")
    with pytest.raises(ValidationError):
        Settings()
    monkeypatch.setenv("SANDBOX_BANK_API_KEY", "k" * 32)
    key = Settings().sandbox_bank_api_key
    assert key is not None and key.get_secret_value() == "k" * 32
