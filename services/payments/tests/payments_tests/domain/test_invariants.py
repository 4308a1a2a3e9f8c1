"""Ledger invariants: true for every valid random history, and each deliberately broken history is caught."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from payments.domain.invariants import (
    balances,
    check_all,
    check_append_only,
    check_balanced,
    check_commitments_covered,
    check_one_live_instruction,
    check_paid_within_awarded,
    check_pending_transfers,
    check_single_settlement,
    check_within_budget,
)
from payments.domain.ledger import (
    CASH_PAID,
    FUND_AWARDED,
    PAYMENTS_IN_FLIGHT,
    RETURNED,
    LedgerTransaction,
    Posting,
    TransactionKind,
    award_commitment,
    instruct_payment,
    return_payment,
    reversal,
    settle_payment,
)

from .ledger_sim import BUDGET, START, op_lists, simulate

AT = START


def failing(txns: list[LedgerTransaction], budget: int | None = BUDGET) -> set[str]:
    return {r.name for r in check_all(txns, budget) if not r.ok}


@settings(deadline=None)  # whole simulated ledgers: time varies with CI load
@given(op_lists)
def test_every_valid_history_keeps_every_invariant(ops: list[tuple[str, int, int]]) -> None:
    sim = simulate(ops)
    results = check_all(sim.ledger, BUDGET)
    assert [r for r in results if not r.ok] == []
    assert len(results) == 8 and all(r.figure for r in results)
    b = balances(sim.ledger)
    assert sum(b.values()) == 0
    tranches = sim.model.tranches
    assert -b.get(CASH_PAID, 0) == sum(t.amount for t in tranches if t.status in ("settled", "returned"))
    assert b.get(RETURNED, 0) == sum(t.amount for t in tranches if t.status == "returned")
    assert -b.get(PAYMENTS_IN_FLIGHT, 0) == sum(t.amount for t in tranches if t.status == "pending")
    assert b.get(FUND_AWARDED, 0) == sum(t.amount for t in tranches if t.status not in ("released", "returned"))


@settings(deadline=None)  # whole simulated ledgers: time varies with CI load
@given(op_lists, st.integers(0, 200))
def test_balances_as_of_any_date_equal_the_prefix_of_the_ledger(ops: list[tuple[str, int, int]], cut: int) -> None:
    ledger = simulate(ops).ledger
    cut = min(cut, len(ledger))
    as_of = START + timedelta(hours=cut - 1, minutes=30)
    assert balances(ledger, as_of) == balances(ledger[:cut])


@settings(deadline=None)  # whole simulated ledgers: time varies with CI load
@given(op_lists, st.integers(0, 10**6))
def test_a_second_settlement_of_a_tranche_is_caught(ops: list[tuple[str, int, int]], pick: int) -> None:
    ledger = simulate([*ops, ("award", 999, 0), ("instruct", 0, 0), ("settle", 0, 0)]).ledger
    reversed_ids = {t.reverses for t in ledger}
    returned = {
        t.instruction_id for t in ledger if t.kind is TransactionKind.RETURN and t.transaction_id not in reversed_ids
    }
    settles = [
        t
        for t in ledger
        if t.kind is TransactionKind.SETTLE
        and t.transaction_id not in reversed_ids
        and t.instruction_id not in returned
    ]  # a returned payment may be paid again: not a second one
    first = settles[pick % len(settles)]
    at = START + timedelta(days=9_999)
    same_instruction = replace(first, transaction_id="dup-settle", effective_at=at)
    assert "pending_transfer_resolves_once" in failing([*ledger, same_instruction])
    again = [
        instruct_payment(
            first.grant_id,
            first.tranche_id or "",
            first.amount_pence,
            instruction_id="new-ins",
            transaction_id="re-ins",
            effective_at=at,
        ),
        settle_payment(
            first.grant_id,
            first.tranche_id or "",
            first.amount_pence,
            instruction_id="new-ins",
            transaction_id="re-settle",
            effective_at=at,
        ),
    ]
    assert "one_settlement_per_tranche" in failing([*ledger, *again])


@settings(deadline=None)  # whole simulated ledgers: time varies with CI load
@given(op_lists, st.integers(0, 10**6))
def test_reversing_any_transaction_nets_its_balances_to_zero(ops: list[tuple[str, int, int]], pick: int) -> None:
    ledger = simulate(ops).ledger
    originals = [t for t in ledger if t.kind is not TransactionKind.REVERSAL]
    assume(originals)
    txn = originals[pick % len(originals)]
    mirror = reversal(txn, transaction_id="fix", effective_at=txn.effective_at)
    assert balances([*ledger, mirror]) == {
        account: value - balances([txn]).get(account, 0) for account, value in balances(ledger).items()
    }
    assert set(balances([txn, mirror]).values()) == {0}


# ---- deliberately broken histories, one per invariant ----

AWARD = award_commitment("g", 1_000, transaction_id="a", effective_at=AT)


def ins(i: str, tranche: str = "t1", amount: int = 500, tid: str | None = None) -> LedgerTransaction:
    return instruct_payment("g", tranche, amount, instruction_id=i, transaction_id=tid or f"ins-{i}", effective_at=AT)


def stl(i: str, tranche: str = "t1", amount: int = 500, tid: str | None = None) -> LedgerTransaction:
    return settle_payment("g", tranche, amount, instruction_id=i, transaction_id=tid or f"stl-{i}", effective_at=AT)


def test_settlement_without_an_instruction_is_caught() -> None:
    result = check_pending_transfers([AWARD, stl("ghost")])
    assert not result.ok and "instruction ghost is unknown" in result.detail


def test_an_instruction_settled_then_failed_is_caught() -> None:
    from payments.domain.ledger import fail_payment

    failed = fail_payment("g", "t1", 500, instruction_id="i1", transaction_id="f", effective_at=AT)
    result = check_pending_transfers([AWARD, ins("i1"), stl("i1"), failed])
    assert not result.ok and "is settled" in result.detail


def test_reusing_an_instruction_id_is_caught() -> None:
    assert not check_pending_transfers([AWARD, ins("i1"), ins("i1", tid="again")]).ok


def test_a_settlement_that_does_not_match_its_instruction_is_caught() -> None:
    result = check_pending_transfers([AWARD, ins("i1"), stl("i1", amount=499)])
    assert not result.ok and "does not match" in result.detail


def test_two_live_instructions_for_one_tranche_are_caught() -> None:
    result = check_one_live_instruction([AWARD, ins("i1", amount=100), ins("i2", amount=100)])
    assert not result.ok and "tranche t1 has 2 live instructions" in result.detail


def test_paying_more_than_awarded_is_caught() -> None:
    txns = [AWARD, ins("i1", amount=1_500), stl("i1", amount=1_500)]
    assert not check_commitments_covered(txns).ok
    assert not check_paid_within_awarded(txns).ok
    assert "paid 1500p > awarded 1000p" in check_paid_within_awarded(txns).detail


def test_over_budget_is_caught() -> None:
    txns = [AWARD, award_commitment("h", 1, transaction_id="b", effective_at=AT)]
    assert check_within_budget(txns, 1_001).ok
    result = check_within_budget(txns, 1_000)
    assert not result.ok and "committed 1001p > budget 1000p" in result.detail


def test_duplicate_ids_and_bad_reversals_are_caught() -> None:
    assert not check_append_only([AWARD, AWARD]).ok
    mirror = reversal(AWARD, transaction_id="r1", effective_at=AT)
    assert check_append_only([AWARD, mirror]).ok
    assert not check_append_only([mirror, AWARD]).ok  # reverses a later transaction
    assert not check_append_only([AWARD, mirror, replace(mirror, transaction_id="r2")]).ok  # twice
    wrong = LedgerTransaction(
        "r3",
        TransactionKind.REVERSAL,
        "g",
        None,
        (Posting(FUND_AWARDED, 0, 999), Posting("grant:g:commitment", 999, 0)),
        AT,
        reverses="a",
    )
    result = check_append_only([AWARD, wrong])
    assert not result.ok and "not the exact mirror" in result.detail


def test_reversing_an_earlier_step_while_a_later_one_stands_is_caught() -> None:
    instructed = ins("i1")
    result = check_pending_transfers(
        [AWARD, instructed, stl("i1"), reversal(instructed, transaction_id="r", effective_at=AT)]
    )
    assert not result.ok and "out of order" in result.detail


def test_a_reversed_settlement_can_be_settled_again() -> None:
    settled = stl("i1")
    txns = [
        AWARD,
        ins("i1"),
        settled,
        reversal(settled, transaction_id="r", effective_at=AT),
        stl("i1", tid="s2"),
    ]
    assert failing(txns) == set()


def test_an_unbalanced_transaction_from_corrupt_storage_is_caught() -> None:
    corrupt = object.__new__(LedgerTransaction)
    fields = {
        **AWARD.__dict__,
        "transaction_id": "bad",
        "postings": (Posting(FUND_AWARDED, 10, 0), Posting(RETURNED, 0, 9)),
    }
    for name, value in fields.items():
        object.__setattr__(corrupt, name, value)
    result = check_balanced([AWARD, corrupt])
    assert not result.ok
    assert "bad: debits 10p != credits 9p" in result.detail and "ledger: debits 1010p != credits 1009p" in result.detail


def test_details_are_capped_for_long_breach_lists() -> None:
    txns = [AWARD, *(stl(f"ghost{n}", tid=f"s{n}") for n in range(15))]
    result = check_pending_transfers(txns)
    assert result.detail.endswith("(+5 more)")


@pytest.mark.parametrize("cut", [0, 1, 2, 3])
def test_balances_as_of(cut: int) -> None:
    txns = [replace(t, effective_at=AT + timedelta(days=n)) for n, t in enumerate([AWARD, ins("i1"), stl("i1")])]
    assert balances(txns, AT + timedelta(days=cut) - timedelta(seconds=1)) == balances(txns[:cut])
    assert check_single_settlement(txns).figure == "1 tranches settled"
    with pytest.raises(ValueError, match="timezone-aware"):
        balances(txns, AT.replace(tzinfo=None))


def test_a_returned_payment_paid_again_is_not_a_second_settlement() -> None:
    def pay(n: int) -> list[LedgerTransaction]:
        return [
            instruct_payment("g1", "t1", 500, instruction_id=f"i{n}", transaction_id=f"ins{n}", effective_at=AT),
            settle_payment("g1", "t1", 500, instruction_id=f"i{n}", transaction_id=f"stl{n}", effective_at=AT),
        ]

    award = award_commitment("g1", 1000, transaction_id="aw", effective_at=AT)
    back = return_payment("g1", "t1", 500, instruction_id="i1", transaction_id="ret1", effective_at=AT)
    assert failing([award, *pay(1), back, *pay(2)]) == set()
    assert "one_settlement_per_tranche" in failing([award, *pay(1), *pay(2)])
    undone = reversal(back, transaction_id="rev", effective_at=AT)
    assert "one_settlement_per_tranche" in failing([award, *pay(1), back, *pay(2), undone])
