"""Ledger invariants checked by queries on the database: balance, row shape, live instructions, schedules."""

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from payments.adapters.ledger_store import stored_transactions, to_domain
from payments.adapters.orm import Grant, LedgerPosting, LedgerTransactionRow, PaymentInstruction, Tranche
from payments.domain.accounts import FUND_AWARDED
from payments.domain.ledger import LedgerError, LedgerTransaction, TransactionKind
from payments.domain.results import InvariantResult, result
from payments.domain.statuses import GRANT_CLOSED, LIVE_INSTRUCTIONS, TRANCHE_CANCELLED

K = TransactionKind
# The ledger postings each instruction status implies (a failure after a refusal posts nothing).
EXPECTED_POSTINGS: dict[str, list[set[TransactionKind]]] = {
    "awaiting_approval": [set()],
    "created": [set()],
    "instructed": [{K.INSTRUCT}],
    "settled": [{K.INSTRUCT, K.SETTLE}],
    "failed": [set(), {K.INSTRUCT, K.FAIL}],
    "returned": [{K.INSTRUCT, K.SETTLE, K.RETURN}],
    "cancelled": [set()],
}


def check_balanced(session: Session) -> InvariantResult:
    """Debits equal credits in every transaction and over the whole ledger (summed by the database)."""
    debit, credit = func.sum(LedgerPosting.debit_pence), func.sum(LedgerPosting.credit_pence)
    unbalanced = session.execute(
        select(LedgerPosting.transaction_id, debit, credit)
        .group_by(LedgerPosting.transaction_id)
        .having(debit != credit)
    ).all()
    breaches = [f"{tid}: debits {d}p != credits {c}p" for tid, d, c in unbalanced]
    debits, credits = session.execute(select(func.coalesce(debit, 0), func.coalesce(credit, 0))).one()
    if debits != credits:
        breaches.append(f"ledger: debits {debits}p != credits {credits}p")
    return result("debits_equal_credits", f"debits {debits}p, credits {credits}p", breaches)


def load_ledger(session: Session) -> tuple[list[LedgerTransaction], InvariantResult]:
    """The stored transactions as domain objects, and which rows could not be (malformed or unbalanced)."""
    loaded, breaches = [], []
    for row, postings in stored_transactions(session):
        try:
            loaded.append(to_domain(row, postings))
        except (LedgerError, ValueError) as error:
            breaches.append(f"{row.transaction_id}: {error}")
    figure = f"{len(loaded)} of {len(loaded) + len(breaches)} transactions well formed"
    return loaded, result("ledger_rows_well_formed", figure, breaches)


def check_live_instructions(session: Session) -> InvariantResult:
    """At most one live payment instruction per tranche in the instructions table."""
    rows = session.execute(
        select(PaymentInstruction.tranche_id, func.count())
        .where(PaymentInstruction.status.in_(LIVE_INSTRUCTIONS))
        .group_by(PaymentInstruction.tranche_id)
        .having(func.count() > 1)
    ).all()
    live = session.execute(
        select(func.count()).select_from(PaymentInstruction).where(PaymentInstruction.status.in_(LIVE_INSTRUCTIONS))
    ).scalar_one()
    breaches = [f"tranche {tranche}: {n} live instructions" for tranche, n in rows]
    return result("one_live_instruction_row_per_tranche", f"{live} live instructions", breaches)


def check_instructions_match_ledger(session: Session, txns: list[LedgerTransaction]) -> InvariantResult:
    """Every instruction's status has exactly the postings it implies: nothing paid off the books."""
    kinds: dict[str, set[K]] = defaultdict(set)
    for t in txns:
        if t.instruction_id is not None:
            kinds[t.instruction_id].add(t.kind)
    rows = session.execute(select(PaymentInstruction.instruction_id, PaymentInstruction.status)).all()
    breaches = [
        f"instruction {iid} is {status} but has postings {sorted(kinds.get(iid, set()))}"
        for iid, status in rows
        if kinds.get(iid, set()) not in EXPECTED_POSTINGS.get(status, [])
    ]
    known = {iid for iid, _ in rows}
    breaches += [f"postings for unknown instruction {iid}" for iid in kinds if iid not in known]
    return result("instructions_match_ledger", f"{len(rows)} instructions", breaches)


def net_awarded_by_grant(session: Session) -> dict[str, int]:
    """Each grant's net commitment from the ledger: awards and increases less releases (fund:awarded postings)."""
    rows = session.execute(
        select(LedgerTransactionRow.grant_id, func.sum(LedgerPosting.debit_pence - LedgerPosting.credit_pence))
        .join(LedgerTransactionRow, LedgerTransactionRow.transaction_id == LedgerPosting.transaction_id)
        .where(LedgerPosting.account == FUND_AWARDED)
        .group_by(LedgerTransactionRow.grant_id)
    ).all()
    return {grant_id: int(total) for grant_id, total in rows}


def check_schedules(session: Session) -> InvariantResult:
    """Each grant's tranches (cancelled ones aside) sum exactly to its net commitment in the ledger and its award."""
    tranche_sums = {
        grant_id: int(total)
        for grant_id, total in session.execute(
            select(Tranche.grant_id, func.sum(Tranche.amount_pence))
            .where(Tranche.status != TRANCHE_CANCELLED)
            .group_by(Tranche.grant_id)
        )
    }
    net = net_awarded_by_grant(session)
    grants = session.execute(select(Grant.grant_id, Grant.amount_pence, Grant.status)).all()
    breaches = []
    for grant_id, award, status in grants:
        scheduled, committed = int(tranche_sums.get(grant_id, 0)), net.get(grant_id, 0)
        if scheduled != committed:
            breaches.append(f"grant {grant_id}: tranches {scheduled}p != committed in the ledger {committed}p")
        if status != GRANT_CLOSED and award != committed:
            breaches.append(f"grant {grant_id}: award {award}p != committed in the ledger {committed}p")
    return result("schedules_sum_to_awards", f"{len(grants)} grants", breaches)
