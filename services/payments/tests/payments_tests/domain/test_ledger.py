"""Ledger builders: each business event is one balanced transaction with the documented postings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payments.domain.invariants import balances
from payments.domain.ledger import (
    CASH_PAID,
    FUND_AWARDED,
    PAYMENTS_IN_FLIGHT,
    RETURNED,
    LedgerError,
    LedgerTransaction,
    Posting,
    TransactionKind,
    award_commitment,
    fail_payment,
    grant_commitment,
    instruct_payment,
    is_grant_commitment,
    release_commitment,
    return_payment,
    reversal,
    settle_payment,
)

AT = datetime(2025, 4, 1, 9, 30, tzinfo=UTC)
G = "grant-1"
C = grant_commitment(G)

Builder = Callable[[int], LedgerTransaction]
BUILDERS: dict[str, tuple[Builder, str, str]] = {
    "award": (lambda a: award_commitment(G, a, transaction_id="t", effective_at=AT), FUND_AWARDED, C),
    "release": (lambda a: release_commitment(G, a, transaction_id="t", effective_at=AT), C, FUND_AWARDED),
    "instruct": (
        lambda a: instruct_payment(G, "tr-1", a, instruction_id="i-1", transaction_id="t", effective_at=AT),
        C,
        PAYMENTS_IN_FLIGHT,
    ),
    "settle": (
        lambda a: settle_payment(G, "tr-1", a, instruction_id="i-1", transaction_id="t", effective_at=AT),
        PAYMENTS_IN_FLIGHT,
        CASH_PAID,
    ),
    "fail": (
        lambda a: fail_payment(G, "tr-1", a, instruction_id="i-1", transaction_id="t", effective_at=AT),
        PAYMENTS_IN_FLIGHT,
        C,
    ),
    "return": (
        lambda a: return_payment(G, "tr-1", a, instruction_id="i-1", transaction_id="t", effective_at=AT),
        RETURNED,
        C,
    ),
}


@pytest.mark.parametrize("event", sorted(BUILDERS))
def test_each_builder_posts_the_documented_debit_and_credit(event: str) -> None:
    build, debit, credit = BUILDERS[event]
    txn = build(12_345)
    assert txn.postings == (Posting(debit, 12_345, 0), Posting(credit, 0, 12_345))
    assert txn.debit_total == txn.credit_total == txn.amount_pence == 12_345


@given(event=st.sampled_from(sorted(BUILDERS)), amount=st.integers(1, 10**15))
def test_every_builder_balances_and_its_reversal_nets_to_zero(event: str, amount: int) -> None:
    txn = BUILDERS[event][0](amount)
    assert txn.debit_total == txn.credit_total == amount
    assert sum(balances([txn]).values()) == 0
    mirror = reversal(txn, transaction_id="t-rev", effective_at=AT)
    assert mirror.kind is TransactionKind.REVERSAL and mirror.reverses == "t"
    assert (mirror.grant_id, mirror.tranche_id, mirror.instruction_id) == (
        txn.grant_id,
        txn.tranche_id,
        txn.instruction_id,
    )
    assert set(balances([txn, mirror]).values()) == {0}


@given(event=st.sampled_from(sorted(BUILDERS)), amount=st.one_of(st.integers(max_value=0), st.just(True)))
def test_builders_refuse_non_positive_amounts(event: str, amount: int) -> None:
    with pytest.raises(LedgerError, match="positive integer number of pence"):
        BUILDERS[event][0](amount)


def test_builders_refuse_float_amounts() -> None:
    with pytest.raises(LedgerError):
        award_commitment(G, 10.5, transaction_id="t", effective_at=AT)  # type: ignore[arg-type]


def test_an_unbalanced_transaction_cannot_be_built() -> None:
    with pytest.raises(LedgerError, match="unbalanced transaction t: debits 100p != credits 99p"):
        LedgerTransaction("t", TransactionKind.AWARD, G, None, (Posting(FUND_AWARDED, 100, 0), Posting(C, 0, 99)), AT)


@pytest.mark.parametrize(
    ("debit", "credit"),
    [(0, 0), (5, 5), (-1, 0), (0, -1)],
    ids=["neither", "both", "neg-debit", "neg-credit"],
)
def test_a_posting_is_exactly_one_positive_side(debit: int, credit: int) -> None:
    with pytest.raises(LedgerError):
        Posting(C, debit, credit)


def test_transaction_shape_is_checked() -> None:
    with pytest.raises(LedgerError, match="timezone-aware"):
        award_commitment(G, 1, transaction_id="t", effective_at=datetime(2025, 1, 1))
    with pytest.raises(LedgerError, match="transaction_id"):
        award_commitment(G, 1, transaction_id=" ", effective_at=AT)
    with pytest.raises(LedgerError, match="grant_id"):
        award_commitment("", 1, transaction_id="t", effective_at=AT)
    with pytest.raises(LedgerError, match="without ':'"):
        award_commitment("a:b", 1, transaction_id="t", effective_at=AT)
    with pytest.raises(LedgerError, match="instruction_id"):
        settle_payment(G, "tr", 1, instruction_id="", transaction_id="t", effective_at=AT)
    with pytest.raises(LedgerError, match="tranche_id"):
        instruct_payment(G, "", 1, instruction_id="i", transaction_id="t", effective_at=AT)
    with pytest.raises(LedgerError, match="at least two"):
        LedgerTransaction("t", TransactionKind.AWARD, G, None, (Posting(C, 1, 0),), AT)
    with pytest.raises(LedgerError, match="reverses"):
        LedgerTransaction("t", TransactionKind.AWARD, G, None, (Posting(C, 1, 0), Posting(C, 0, 1)), AT, None, "x")


def test_reversal_rules() -> None:
    txn = award_commitment(G, 100, transaction_id="t", effective_at=AT)
    with pytest.raises(LedgerError, match="its own transaction_id"):
        reversal(txn, transaction_id="t", effective_at=AT)
    with pytest.raises(LedgerError, match="cannot take effect before t"):
        reversal(txn, transaction_id="t2", effective_at=AT.replace(year=2024))
    mirror = reversal(txn, transaction_id="t2", effective_at=AT)
    with pytest.raises(LedgerError, match="is a reversal"):
        reversal(mirror, transaction_id="t3", effective_at=AT)


def test_account_names() -> None:
    assert grant_commitment("g-42") == "grant:g-42:commitment"
    assert is_grant_commitment(grant_commitment("g-42"))
    assert not any(is_grant_commitment(a) for a in (FUND_AWARDED, PAYMENTS_IN_FLIGHT, CASH_PAID, RETURNED))
    assert len({FUND_AWARDED, PAYMENTS_IN_FLIGHT, CASH_PAID, RETURNED, grant_commitment("g")}) == 5


def test_a_full_life_keeps_the_fund_identity() -> None:
    txns = [
        award_commitment(G, 1_000, transaction_id="a", effective_at=AT),
        instruct_payment(G, "tr-1", 400, instruction_id="i-1", transaction_id="b", effective_at=AT),
        fail_payment(G, "tr-1", 400, instruction_id="i-1", transaction_id="c", effective_at=AT),
        instruct_payment(G, "tr-1", 400, instruction_id="i-2", transaction_id="d", effective_at=AT),
        settle_payment(G, "tr-1", 400, instruction_id="i-2", transaction_id="e", effective_at=AT),
        instruct_payment(G, "tr-2", 300, instruction_id="i-3", transaction_id="f", effective_at=AT),
        settle_payment(G, "tr-2", 300, instruction_id="i-3", transaction_id="g", effective_at=AT),
        return_payment(G, "tr-2", 300, instruction_id="i-3", transaction_id="h", effective_at=AT),
        release_commitment(G, 100, transaction_id="i", effective_at=AT),
    ]
    b = balances(txns)
    assert b == {FUND_AWARDED: 900, C: -500, PAYMENTS_IN_FLIGHT: 0, CASH_PAID: -700, RETURNED: 300}
    outstanding, paid, returned = -b[C], -b[CASH_PAID], b[RETURNED]
    assert b[FUND_AWARDED] == outstanding - b[PAYMENTS_IN_FLIGHT] + paid - returned
