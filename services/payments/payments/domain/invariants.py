"""Ledger invariants (ARCHITECTURE.md section 5) checked over transactions in posting order, in memory.

Each check returns an `InvariantResult`; a reversal undoes the transaction it mirrors from its own position
in the sequence onwards, so a corrected mistake is not reported as a live one.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from payments.domain.transactions import LedgerTransaction, TransactionKind

Kind = TransactionKind
_MAX_DETAILS = 10


@dataclass(frozen=True)
class InvariantResult:
    """The outcome of one invariant check: its name, whether it holds, the headline figure and any breaches."""

    name: str
    ok: bool
    figure: str
    detail: str


def _result(name: str, figure: str, breaches: Sequence[str]) -> InvariantResult:
    shown = "; ".join(breaches[:_MAX_DETAILS])
    more = f" (+{len(breaches) - _MAX_DETAILS} more)" if len(breaches) > _MAX_DETAILS else ""
    return InvariantResult(name, not breaches, figure, shown + more)


def _effects(txns: Sequence[LedgerTransaction]) -> list[tuple[LedgerTransaction, Kind, int]]:
    """Each transaction as (original, business kind, +1 posted / -1 reversed); unknown reversals are skipped."""
    by_id = {t.transaction_id: t for t in txns if t.kind is not Kind.REVERSAL}
    effects = []
    for t in txns:
        if t.kind is not Kind.REVERSAL:
            effects.append((t, t.kind, 1))
        elif t.reverses in by_id:
            effects.append((by_id[t.reverses], by_id[t.reverses].kind, -1))
    return effects


def balances(transactions: Iterable[LedgerTransaction], as_of: datetime | None = None) -> dict[str, int]:
    """Balance of every account (debits minus credits, pence) over transactions effective at or before `as_of`."""
    totals: dict[str, int] = defaultdict(int)
    for t in transactions:
        if as_of is None or t.effective_at <= as_of:
            for p in t.postings:
                totals[p.account] += p.debit_pence - p.credit_pence
    return dict(totals)


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
    return _result("debits_equal_credits", f"debits {debits}p, credits {credits}p", breaches)


def check_append_only(transactions: Iterable[LedgerTransaction]) -> InvariantResult:
    """Every transaction id appears once, and each reversal mirrors one earlier transaction, at most once."""
    txns, seen = list(transactions), set()
    counts = Counter(t.transaction_id for t in txns)
    breaches = [f"{tid} posted {n} times" for tid, n in counts.items() if n > 1]
    reversed_ids: Counter[str] = Counter()
    for t in txns:
        if t.kind is Kind.REVERSAL and t.reverses is not None:
            reversed_ids[t.reverses] += 1
            original = next((o for o in txns if o.transaction_id == t.reverses), None)
            if original is None or t.reverses not in seen or original.kind is Kind.REVERSAL:
                breaches.append(f"{t.transaction_id} reverses {t.reverses}, which is not an earlier transaction")
            elif sorted((p.account, p.credit_pence, p.debit_pence) for p in original.postings) != sorted(
                (p.account, p.debit_pence, p.credit_pence) for p in t.postings
            ):
                breaches.append(f"{t.transaction_id} is not the exact mirror of {t.reverses}")
        seen.add(t.transaction_id)
    breaches += [f"{tid} reversed {n} times" for tid, n in reversed_ids.items() if n > 1]
    return _result("append_only_with_reversals", f"{len(txns)} transactions, {sum(reversed_ids.values())} reversals", breaches)


def check_single_settlement(transactions: Iterable[LedgerTransaction]) -> InvariantResult:
    """At most one posted (unreversed) disbursement per tranche."""
    settled: Counter[str] = Counter()
    for t, kind, sign in _effects(list(transactions)):
        if kind is Kind.SETTLE and t.tranche_id is not None:
            settled[t.tranche_id] += sign
    breaches = [f"tranche {tranche} settled {n} times" for tranche, n in sorted(settled.items()) if n > 1]
    return _result("one_settlement_per_tranche", f"{sum(1 for n in settled.values() if n > 0)} tranches settled", breaches)

