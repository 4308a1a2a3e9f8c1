"""Invariants of the money rules around the ledger: round budgets, closed grants, maker-checker (ARCHITECTURE.md 5)."""

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grants_shared.people import same_person
from payments.adapters.ledger_store import account_balance
from payments.adapters.orm import Grant, PaymentInstruction, Tranche
from payments.adapters.orm_variations import Round, Variation
from payments.domain.accounts import FUND_AWARDED, grant_commitment
from payments.domain.amount_invariants import check_within_budget
from payments.domain.ledger import LedgerTransaction
from payments.domain.results import InvariantResult, result
from payments.domain.statuses import (
    AWAITING_APPROVAL,
    CLOSURE,
    GRANT_CLOSED,
    IN_FLIGHT,
    SETTLED,
    TRANCHE_CANCELLED,
    VARIATION_APPLIED,
)

PENDING = (AWAITING_APPROVAL, *IN_FLIGHT)
DONE = (SETTLED, TRANCHE_CANCELLED)


def check_round_budgets(session: Session, txns: list[LedgerTransaction]) -> InvariantResult:
    """At every point, each known round's net commitments (awards, increases, less releases) are within its budget."""
    round_of: dict[str, str] = {g: str(r) for g, r in session.execute(select(Grant.grant_id, Grant.round_id))}
    budgets = {r: int(b) for r, b in session.execute(select(Round.round_id, Round.budget_pence))}
    by_round: dict[str, list[LedgerTransaction]] = defaultdict(list)
    for t in txns:
        by_round[round_of.get(t.grant_id, "")].append(t)
    breaches, committed = [], 0
    for round_id, budget in sorted(budgets.items()):
        checked = check_within_budget(by_round.get(round_id, []), int(budget))
        breaches += [f"round {round_id}: {checked.detail}"] if not checked.ok else []
        committed += sum(
            p.debit_pence - p.credit_pence
            for t in by_round.get(round_id, [])
            for p in t.postings
            if p.account == FUND_AWARDED
        )
    unknown = len({r for r in round_of.values() if r not in budgets})
    figure = f"{len(budgets)} rounds: committed {committed}p of {sum(budgets.values())}p; {unknown} rounds unannounced"
    return result("within_round_budgets", figure, breaches)


def check_closed_grants(session: Session) -> InvariantResult:
    """A closed grant holds no commitment, no unpaid tranche and no payment still to happen."""
    closed = list(session.scalars(select(Grant.grant_id).where(Grant.status == GRANT_CLOSED)))
    breaches = []
    for grant_id in closed:
        held = -account_balance(session, grant_commitment(grant_id))
        open_tranches = session.execute(
            select(func.count()).select_from(Tranche).where(Tranche.grant_id == grant_id, Tranche.status.not_in(DONE))
        ).scalar_one()
        pending = session.execute(
            select(func.count())
            .select_from(PaymentInstruction)
            .where(PaymentInstruction.grant_id == grant_id, PaymentInstruction.status.in_(PENDING))
        ).scalar_one()
        if held or open_tranches or pending:
            breaches.append(
                f"closed grant {grant_id}: {held}p still committed, {open_tranches} unpaid tranches, "
                f"{pending} payments pending"
            )
    return result("closed_grants_hold_nothing", f"{len(closed)} grants closed early", breaches)


def _same(a: str | None, b: str | None) -> bool:
    return same_person(a, b)


def check_maker_checker(session: Session) -> InvariantResult:
    """No tranche above its threshold approved by its releaser; no amount change or closure decided by its requester."""
    tranches = session.execute(
        select(Tranche.tranche_id, Tranche.released_by, Tranche.approved_by).where(
            Tranche.approved_by.is_not(None), Tranche.amount_pence > Tranche.threshold_pence
        )
    ).all()
    variations = session.execute(
        select(
            Variation.variation_id,
            Variation.kind,
            Variation.requested_by,
            Variation.decided_by,
            Variation.new_total_pence,
            Variation.previous_total_pence,
        ).where(Variation.status == VARIATION_APPLIED)
    ).all()
    breaches = [f"tranche {tid}: released and approved by {rel}" for tid, rel, app in tranches if _same(rel, app)]
    money_moved = [
        v
        for v in variations
        if v.kind == CLOSURE or (v.new_total_pence is not None and v.new_total_pence != v.previous_total_pence)
    ]
    breaches += [
        f"variation {v.variation_id}: requested and approved by {v.requested_by}"
        for v in money_moved
        if _same(v.requested_by, v.decided_by)
    ]
    figure = f"{len(tranches)} approvals above the threshold, {len(money_moved)} approved amount changes"
    return result("maker_checker", figure, breaches)
