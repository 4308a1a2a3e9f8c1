"""Round budgets: what a round has committed in the ledger (awards and variations, net of releases) against it."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from payments.adapters.orm import Grant, LedgerPosting, LedgerTransactionRow
from payments.adapters.orm_variations import Round
from payments.domain.accounts import FUND_AWARDED
from payments.usecases.errors import OverBudget, RoundBudgetUnknown


def committed_by_round(session: Session, round_id: str | None = None) -> dict[str, int]:
    """Each round's (or one round's) net commitments from the ledger: the fund:awarded postings of its grants."""
    query = (
        select(Grant.round_id, func.sum(LedgerPosting.debit_pence - LedgerPosting.credit_pence))
        .join(LedgerTransactionRow, LedgerTransactionRow.transaction_id == LedgerPosting.transaction_id)
        .join(Grant, Grant.grant_id == LedgerTransactionRow.grant_id)
        .where(LedgerPosting.account == FUND_AWARDED)
        .group_by(Grant.round_id)
    )
    if round_id is not None:
        query = query.where(Grant.round_id == round_id)
    return {rid: int(total) for rid, total in session.execute(query).all()}


def require_headroom(session: Session, round_id: str, increase_pence: int) -> None:
    """Refuse an increase the round's budget cannot carry, or one in a round whose budget is unknown.

    The round row is locked, so two increases in one round are checked one after the other.
    """
    known = session.get(Round, round_id, with_for_update=True)
    if known is None:
        raise RoundBudgetUnknown(f"Round {round_id} was never announced here: an increase cannot be checked.")
    committed = committed_by_round(session, round_id).get(round_id, 0)
    if committed + increase_pence > known.budget_pence:
        raise OverBudget(
            f"Round {round_id} has committed {committed}p of {known.budget_pence}p; "
            f"{increase_pence}p more would exceed it."
        )
