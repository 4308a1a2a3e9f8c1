"""Amount invariants at every point of the ledger: no commitment overdrawn, the budget never exceeded."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from payments.domain.accounts import FUND_AWARDED, grant_commitment
from payments.domain.results import InvariantResult, result
from payments.domain.transactions import LedgerTransaction


def check_commitments_covered(transactions: Iterable[LedgerTransaction]) -> InvariantResult:
    """At every point, no grant's commitment is overdrawn: nothing instructed or released beyond it."""
    owed: Counter[str] = Counter()
    breaches: list[str] = []
    for t in transactions:
        account = grant_commitment(t.grant_id)
        owed[t.grant_id] += sum(p.credit_pence - p.debit_pence for p in t.postings if p.account == account)
        if owed[t.grant_id] < 0:
            breaches.append(f"grant {t.grant_id}: commitment overdrawn by {-owed[t.grant_id]}p at {t.transaction_id}")
    return result("commitments_not_overdrawn", f"{sum(owed.values())}p committed, not instructed", breaches)


def check_within_budget(transactions: Iterable[LedgerTransaction], budget_pence: int) -> InvariantResult:
    """At every point, the fund's net commitments (awarded - released) are within its budget."""
    committed, peak, breaches = 0, 0, []
    for t in transactions:
        committed += sum(p.debit_pence - p.credit_pence for p in t.postings if p.account == FUND_AWARDED)
        peak = max(peak, committed)
        if committed > budget_pence:
            breaches.append(f"committed {committed}p > budget {budget_pence}p at {t.transaction_id}")
    return result("within_budget", f"committed {committed}p (peak {peak}p) of budget {budget_pence}p", breaches)
