"""The ledger invariants of ARCHITECTURE.md section 5, checked from the database; `python -m payments.ledger_check`."""

import sys
from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from payments.adapters.ledger_store import stored_transactions, to_domain
from payments.adapters.orm import Grant, LedgerPosting, PaymentInstruction, Tranche
from payments.domain import amount_invariants, invariants, transfer_invariants
from payments.domain.ledger import LedgerError, LedgerTransaction, TransactionKind
from payments.domain.results import InvariantResult, result
from payments.statuses import LIVE_INSTRUCTIONS

K = TransactionKind
# The ledger postings each instruction status implies (a failure after a refusal posts nothing).
EXPECTED_POSTINGS: dict[str, list[set[TransactionKind]]] = {
    "awaiting_approval": [set()], "created": [set()], "instructed": [{K.INSTRUCT}],
    "settled": [{K.INSTRUCT, K.SETTLE}], "failed": [set(), {K.INSTRUCT, K.FAIL}],
    "returned": [{K.INSTRUCT, K.SETTLE, K.RETURN}],
}  # fmt: skip


def check_balanced(session: Session) -> InvariantResult:
    """Debits equal credits in every transaction and over the whole ledger (summed by the database)."""
    debit, credit = func.sum(LedgerPosting.debit_pence), func.sum(LedgerPosting.credit_pence)
    unbalanced = session.execute(
        select(LedgerPosting.transaction_id, debit, credit).group_by(LedgerPosting.transaction_id)
        .having(debit != credit)
    ).all()  # fmt: skip
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
        select(PaymentInstruction.tranche_id, func.count()).where(PaymentInstruction.status.in_(LIVE_INSTRUCTIONS))
        .group_by(PaymentInstruction.tranche_id).having(func.count() > 1)
    ).all()  # fmt: skip
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


def check_schedules(session: Session) -> InvariantResult:
    """Each grant's tranches sum exactly to its award."""
    rows = session.execute(
        select(Grant.grant_id, Grant.amount_pence, func.sum(Tranche.amount_pence))
        .join(Tranche, Tranche.grant_id == Grant.grant_id).group_by(Grant.grant_id, Grant.amount_pence)
    ).all()  # fmt: skip
    breaches = [f"grant {gid}: tranches {total}p != award {award}p" for gid, award, total in rows if total != award]
    return result("schedules_sum_to_awards", f"{len(rows)} grants", breaches)


def run_checks(session: Session) -> list[InvariantResult]:
    """Every invariant, each with its headline figure."""
    txns, well_formed = load_ledger(session)
    return [
        check_balanced(session), well_formed, invariants.check_append_only(txns),
        invariants.check_single_settlement(txns), transfer_invariants.check_pending_transfers(txns),
        transfer_invariants.check_one_live_instruction(txns), check_live_instructions(session),
        invariants.check_paid_within_awarded(txns), amount_invariants.check_commitments_covered(txns),
        check_instructions_match_ledger(session, txns), check_schedules(session),
    ]  # fmt: skip


def main() -> None:
    """Print each invariant with its figure; exit 1 when any fails."""
    from payments import bootstrap

    with bootstrap.sessions()() as session:
        results = run_checks(session)
    for r in results:
        print(f"{'ok  ' if r.ok else 'FAIL'} {r.name}: {r.figure}{f' -- {r.detail}' if r.detail else ''}")
    failed = [r.name for r in results if not r.ok]
    print("ledger check: " + ("all invariants hold" if not failed else f"FAILED: {', '.join(failed)}"))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
