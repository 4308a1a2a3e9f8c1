"""Demonstration grants in the ledger: their postings stay (the ledger balances), their money is shown apart."""

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grants_shared.clock import as_utc as utc
from grants_shared.money import paid_words
from payments.adapters.orm import Grant, LedgerPosting, LedgerTransactionRow
from payments.domain.accounts import CASH_PAID, FUND_AWARDED, PAYMENTS_IN_FLIGHT, RETURNED

HEADLINE_ACCOUNTS = (FUND_AWARDED, PAYMENTS_IN_FLIGHT, CASH_PAID, RETURNED)


def demonstration_balances(session: Session, as_of: datetime | None) -> dict[str, int]:
    """The headline accounts' balances over demonstration grants' transactions effective by `as_of`."""
    query = (
        select(LedgerPosting.account, func.sum(LedgerPosting.debit_pence - LedgerPosting.credit_pence))
        .join(LedgerTransactionRow, LedgerTransactionRow.transaction_id == LedgerPosting.transaction_id)
        .join(Grant, Grant.grant_id == LedgerTransactionRow.grant_id)
        .where(Grant.demonstration.is_(True), LedgerPosting.account.in_(HEADLINE_ACCOUNTS))
        .group_by(LedgerPosting.account)
    )
    if as_of is not None:
        query = query.where(LedgerTransactionRow.effective_at <= utc(as_of))
    return {account: int(total) for account, total in session.execute(query)}


def fund_figures(totals: Mapping[str, int], less: Mapping[str, int] | None = None) -> dict[str, int]:
    """The headline figures of these balances, less those of `less` (the demonstration grants')."""

    def balance(account: str) -> int:
        return totals.get(account, 0) - (less or {}).get(account, 0)

    return {
        "committed_pence": balance(FUND_AWARDED),
        "in_flight_pence": -balance(PAYMENTS_IN_FLIGHT),
        **paid_words(-balance(CASH_PAID), balance(RETURNED)),
    }
