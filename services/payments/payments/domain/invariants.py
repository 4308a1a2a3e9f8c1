"""Ledger invariants (ARCHITECTURE.md section 5) over transactions in posting order, in memory.

A reversal undoes the transaction it mirrors from its own position onwards, so a corrected mistake is not
a live breach. Checked elsewhere, not from ledger data: instruction id stored before the provider call,
ambiguous outcomes resolved by asking the provider, maker-checker (`tranche_state.check_approver`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from payments.domain.amount_invariants import check_commitments_covered, check_within_budget
from payments.domain.results import InvariantResult, result
from payments.domain.transactions import LedgerTransaction, TransactionKind
from payments.domain.transfer_invariants import check_one_live_instruction, check_pending_transfers

__all__ = [
    "InvariantResult",
    "balances",
    "check_all",
    "check_append_only",
    "check_balanced",
    "check_commitments_covered",
    "check_one_live_instruction",
    "check_paid_within_awarded",
    "check_pending_transfers",
    "check_single_settlement",
    "check_within_budget",
]
Kind = TransactionKind


def balances(transactions: Iterable[LedgerTransaction], as_of: datetime | None = None) -> dict[str, int]:
    """Each account's balance (debits minus credits, pence) over transactions effective by `as_of`."""
    if as_of is not None and as_of.utcoffset() is None:
        raise ValueError("as_of must be timezone-aware, like every transaction's effective_at")
    totals: dict[str, int] = defaultdict(int)
    for t in transactions:
        if as_of is None or t.effective_at <= as_of:
            for p in t.postings:
                totals[p.account] += p.debit_pence - p.credit_pence
    return dict(totals)


def _effects(txns: Sequence[LedgerTransaction]) -> list[tuple[LedgerTransaction, int]]:
    """Each business event as (original transaction, +1 posted or -1 reversed), in posting order."""
    originals = {t.transaction_id: t for t in txns if t.kind is not Kind.REVERSAL}
    effects: list[tuple[LedgerTransaction, int]] = []
    for t in txns:
        if t.kind is not Kind.REVERSAL:
            effects.append((t, 1))
        elif t.reverses is not None and t.reverses in originals:
            effects.append((originals[t.reverses], -1))
    return effects


def check_balanced(transactions: Iterable[LedgerTransaction]) -> InvariantResult:
    """Debits equal credits in every transaction and across the whole ledger."""
    txns = list(transactions)
    breaches = [
        f"{t.transaction_id}: debits {t.debit_total}p != credits {t.credit_total}p"
        for t in txns
        if t.debit_total != t.credit_total
    ]
    debits, credits = sum(t.debit_total for t in txns), sum(t.credit_total for t in txns)
    if debits != credits:
        breaches.append(f"ledger: debits {debits}p != credits {credits}p")
    return result("debits_equal_credits", f"debits {debits}p, credits {credits}p", breaches)


def check_append_only(transactions: Iterable[LedgerTransaction]) -> InvariantResult:
    """Each transaction id is posted once; each reversal exactly mirrors one earlier transaction, once."""
    txns = list(transactions)
    breaches = [f"{tid} posted {n} times" for tid, n in Counter(t.transaction_id for t in txns).items() if n > 1]
    earlier: dict[str, LedgerTransaction] = {}
    reversed_ids: Counter[str] = Counter()
    for t in txns:
        if t.kind is Kind.REVERSAL and t.reverses is not None:
            reversed_ids[t.reverses] += 1
            original = earlier.get(t.reverses)
            if original is None or original.kind is Kind.REVERSAL:
                breaches.append(f"{t.transaction_id} reverses {t.reverses}: not an earlier original transaction")
            elif sorted((p.account, p.credit_pence, p.debit_pence) for p in original.postings) != sorted(
                (p.account, p.debit_pence, p.credit_pence) for p in t.postings
            ):
                breaches.append(f"{t.transaction_id} is not the exact mirror of {t.reverses}")
        earlier.setdefault(t.transaction_id, t)
    breaches += [f"{tid} reversed {n} times" for tid, n in reversed_ids.items() if n > 1]
    figure = f"{len(txns)} transactions, {sum(reversed_ids.values())} reversals"
    return result("append_only_with_reversals", figure, breaches)


def check_single_settlement(transactions: Iterable[LedgerTransaction]) -> InvariantResult:
    """At every point, at most one standing disbursement per tranche: settled, unreversed and not returned.

    A returned payment never reached the grantee, so paying its tranche again is not a second payment.
    """
    standing: Counter[str | None] = Counter()
    breaches: list[str] = []
    for t, sign in _effects(list(transactions)):
        if t.kind in (Kind.SETTLE, Kind.RETURN):
            standing[t.tranche_id] += sign if t.kind is Kind.SETTLE else -sign
            if standing[t.tranche_id] > 1:
                breaches.append(f"tranche {t.tranche_id} settled {standing[t.tranche_id]} times at {t.transaction_id}")
    figure = f"{sum(1 for n in standing.values() if n > 0)} tranches settled"
    return result("one_settlement_per_tranche", figure, breaches)


def check_paid_within_awarded(transactions: Iterable[LedgerTransaction]) -> InvariantResult:
    """At every point, each grant's net paid (settled - returned) is within its award (awarded - released)."""
    awarded: Counter[str] = Counter()
    paid: Counter[str] = Counter()
    breaches: list[str] = []
    sign_of = {Kind.AWARD: (1, 0), Kind.RELEASE: (-1, 0), Kind.SETTLE: (0, 1), Kind.RETURN: (0, -1)}
    for t, sign in _effects(list(transactions)):
        if t.kind in sign_of:
            award_sign, paid_sign = sign_of[t.kind]
            awarded[t.grant_id] += sign * award_sign * t.amount_pence
            paid[t.grant_id] += sign * paid_sign * t.amount_pence
            if paid[t.grant_id] > awarded[t.grant_id]:
                breaches.append(f"grant {t.grant_id}: paid {paid[t.grant_id]}p > awarded {awarded[t.grant_id]}p")
    figure = f"paid {sum(paid.values())}p of awarded {sum(awarded.values())}p over {len(awarded)} grants"
    return result("paid_within_awarded", figure, breaches)


def check_all(transactions: Iterable[LedgerTransaction], budget_pence: int | None = None) -> list[InvariantResult]:
    """Run every ledger invariant (the budget one only when a budget is given)."""
    txns = list(transactions)
    checks = [
        check_balanced(txns),
        check_append_only(txns),
        check_single_settlement(txns),
        check_pending_transfers(txns),
        check_one_live_instruction(txns),
        check_paid_within_awarded(txns),
        check_commitments_covered(txns),
    ]
    if budget_pence is not None:
        checks.append(check_within_budget(txns, budget_pence))
    return checks
