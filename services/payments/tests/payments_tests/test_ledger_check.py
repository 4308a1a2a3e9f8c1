"""The ledger check from the database: it passes on a real ledger and fails on a corrupted row."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.auth import Role
from grants_shared.clock import now
from grants_shared.ids import new_id
from payments.adapters.orm import LedgerPosting, LedgerTransactionRow, PaymentInstruction
from payments.adapters.provider import SandboxBankProvider
from payments.read import ledger_check
from payments_tests.bank import Bank
from payments_tests.flow import pay_what_is_released
from payments_tests.kit import (
    accepted,
    award_and_open,
    awarded,
    bearer,
    deliver,
    instructions,
    on_grant_awarded,
    on_report_accepted,
)

Sessions = sessionmaker[Session]
FINANCE = bearer(Role.FINANCE_OFFICER, subject="fiona")


def corrupt(sessions: Sessions) -> None:
    """Add one extra debit line to the award transaction, as a bad manual fix would."""
    with sessions() as session:
        txn = session.scalars(select(LedgerTransactionRow.transaction_id)).first()
        session.execute(
            insert(LedgerPosting).values(transaction_id=txn, line=3, account="cash:paid", debit_pence=1, credit_pence=0)
        )
        session.commit()


@pytest.mark.ledger_broken  # it corrupts a row on purpose to show the check fails
def test_the_check_passes_on_a_real_ledger_and_fails_on_a_corrupted_row(
    sessions: Sessions, client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    award_and_open(sessions, awarded(amount=800_000, months=12), on_grant_awarded)
    deliver(sessions, accepted(period=1), on_report_accepted)
    body = client.get("/ledger/check", headers=FINANCE).json()
    assert body["ok"] is True
    names = {i["name"] for i in body["invariants"]}
    assert {
        "debits_equal_credits",
        "one_settlement_per_tranche",
        "one_live_instruction_per_tranche",
        "paid_within_awarded",
        "pending_transfer_resolves_once",
        "append_only_with_reversals",
    } <= names
    with pytest.raises(SystemExit) as ok_exit:
        ledger_check.main()
    assert ok_exit.value.code == 0
    corrupt(sessions)
    body = client.get("/ledger/check", headers=FINANCE).json()
    failed = {i["name"]: i for i in body["invariants"] if not i["ok"]}
    assert body["ok"] is False and "debits_equal_credits" in failed
    assert "debits 800001p" in failed["debits_equal_credits"]["figure"]
    with pytest.raises(SystemExit) as failed_exit:
        ledger_check.main()
    assert failed_exit.value.code == 1
    printed = capsys.readouterr().out
    assert "FAIL debits_equal_credits" in printed and "ok   one_settlement_per_tranche" in printed


def test_posted_entries_can_never_be_updated_or_deleted(sessions: Sessions) -> None:
    award_and_open(sessions, awarded(amount=800_000, months=12), on_grant_awarded)
    for statement in ("UPDATE ledger_postings SET debit_pence = debit_pence + 1", "DELETE FROM ledger_transactions"):
        with sessions() as session, pytest.raises(DBAPIError, match="append-only"):
            session.execute(text(statement))


def test_the_database_refuses_a_second_live_instruction_for_a_tranche(sessions: Sessions) -> None:
    award_and_open(sessions, awarded(amount=800_000, months=12), on_grant_awarded)
    [live] = instructions(sessions)
    with sessions() as session, pytest.raises(IntegrityError):
        session.add(
            PaymentInstruction(
                instruction_id=new_id(),
                tranche_id=live.tranche_id,
                grant_id="g-1",
                attempt=2,
                amount_pence=400_000,
                status="created",
                provider="sandbox_bank",
                reference="CWF-G1-01",
                created_at=now(),
            )
        )
        session.commit()


def test_the_check_reads_one_snapshot_while_money_moves(
    sessions: Sessions,
    client: TestClient,
    provider: SandboxBankProvider,
    bank: Bank,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A payment instructed and settled after the check has loaded the ledger, before it reads instructions, is not a
    fault: every invariant reads the same snapshot (read separately, the settled instruction has no postings)."""
    award_and_open(sessions, awarded(amount=800_000, months=12), on_grant_awarded)
    real_load, paid = ledger_check.load_ledger, []

    def load_then_pay(session: Session) -> object:
        loaded = real_load(session)
        pay_what_is_released(sessions, provider, bank)  # the worker's turn, committed while the check reads
        paid.append([i.status for i in instructions(sessions, grant_id=f"g-{len(paid) + 1}")])
        return loaded

    with monkeypatch.context() as patch:
        patch.setattr(ledger_check, "load_ledger", load_then_pay)
        with pytest.raises(SystemExit) as checked:
            ledger_check.main()
        award_and_open(sessions, awarded(grant_id="g-2", amount=800_000, months=12), on_grant_awarded)
        body = client.get("/ledger/check", headers=FINANCE).json()
    assert checked.value.code == 0, capsys.readouterr().out
    assert body["ok"] is True, [i for i in body["invariants"] if not i["ok"]]
    assert paid == [["settled"], ["settled"]]  # money did move, on both grants, while a check was reading
