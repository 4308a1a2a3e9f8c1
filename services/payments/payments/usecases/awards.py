"""Use cases driven by other services' events: award a grant, accept a report, a partnership changed, a round opened."""

import logging
from typing import cast

from sqlalchemy import Table, bindparam, insert, select

from grants_shared.clock import Clock, now, system_clock
from grants_shared.clock import as_utc as utc
from grants_shared.delivery import NotReady
from grants_shared.events import GrantAwarded, PartnershipChanged, ReportAccepted, RoundOpened, TrancheScheduled
from grants_shared.ids import stable_id
from grants_shared.uow import UnitOfWork
from payments.adapters.ledger_store import post_once, posting_key
from payments.adapters.orm import Grant, Partnership, Tranche
from payments.adapters.orm_variations import Round
from payments.domain.ledger import TransactionKind, award_commitment
from payments.domain.release_conditions import PREVIOUS_REPORT_ACCEPTED
from payments.domain.schedule import SEMI_ANNUAL, build_schedule
from payments.domain.statuses import GRANT_ACTIVE, HOLD_PARTNERSHIP, UNRELEASED
from payments.usecases.instructions import payee_for
from payments.usecases.releases import AUTO_RELEASER, add_hold, conditions_for, lift_hold, review, snapshot

log = logging.getLogger(__name__)
WORKER = "payments-worker"


def tranche_id_of(grant_id: str, number: int, variation_id: str | None = None) -> str:
    """The stable id of a grant's tranche (a replayed award lands on the same ids; a variation's are its own)."""
    parts = (grant_id, "tranche", str(number)) + ((variation_id,) if variation_id else ())
    return stable_id(*parts)


GRANT_KNOWN = select(Grant.grant_id).where(Grant.grant_id == bindparam("grant_id"))
INSERT_TRANCHES = insert(cast(Table, Tranche.__table__))  # built once: one executemany for a grant's later tranches


def award_grant(
    uow: UnitOfWork, award: GrantAwarded, *, threshold: int, payee_sort_code: str, clock: Clock = system_clock
) -> None:
    """Schedule a new grant semi-annually from its award date and commit it in the ledger; review tranche 1.

    Tranche 1 falls due at the award: it is held until the agreement is signed and the plan endorsed. The grant
    and tranche 1 are ORM objects (the review works on them); tranches 2 onwards are one executemany.
    """
    session = uow.session
    if session.execute(GRANT_KNOWN, {"grant_id": award.grant_id}).first() is not None:
        return  # the schedule exists already: a replayed or repeated award changes nothing
    awarded_at = utc(award.awarded_at)
    schedule = build_schedule(award.amount_pence, award.duration_months, awarded_at.date(), SEMI_ANNUAL)
    payee = payee_for(award.grant_id, award.partnership_id, payee_sort_code)
    grant = Grant(
        grant_id=award.grant_id, application_id=award.application_id, organisation_id=award.organisation_id,
        partnership_id=award.partnership_id, round_id=award.round_id, run_id=award.run_id,
        neighbourhood_code=award.neighbourhood_code, region_code=award.region_code, amount_pence=award.amount_pence,
        duration_months=award.duration_months, awarded_at=awarded_at, status=GRANT_ACTIVE, created_at=now(),
        payee_name=payee.name, payee_sort_code=payee.sort_code, payee_account_number=payee.account_number,
    )  # fmt: skip
    at = clock()
    rows = [
        {"tranche_id": tranche_id_of(award.grant_id, due.number), "grant_id": award.grant_id, "number": due.number,
         "of_tranches": len(schedule), "due_on": due.due_on, "amount_pence": due.amount_pence, "status": "scheduled",
         "conditions": conditions_for(due.number), "facts": {}, "holds": [], "updated_at": at}
        for due in schedule
    ]  # fmt: skip
    first = Tranche(**rows[0])
    session.add_all([grant, first])
    session.flush()
    if len(rows) > 1:
        session.execute(INSERT_TRANCHES, rows[1:])
    post_once(
        session, posting_key(TransactionKind.AWARD, award.grant_id),
        lambda tid: award_commitment(award.grant_id, award.amount_pence, transaction_id=tid, effective_at=awarded_at),
    )  # fmt: skip
    for row in rows:
        uow.emit(
            TrancheScheduled(grant_id=award.grant_id, tranche_id=row["tranche_id"], number=row["number"],
                             of_tranches=len(rows), due_on=row["due_on"], amount_pence=row["amount_pence"]),
            subject=award.grant_id,
        )  # fmt: skip
    uow.audit(actor=WORKER, action="grant.scheduled", entity_type="grant", entity_id=award.grant_id,
              after={"amount_pence": award.amount_pence, "tranches": len(rows)})  # fmt: skip
    partnership = session.get(Partnership, award.partnership_id)
    if partnership is not None and not partnership.compliant:
        tranches = list(session.scalars(select(Tranche).where(Tranche.grant_id == award.grant_id)
                                        .order_by(Tranche.number)))  # fmt: skip
        for t in tranches:
            add_hold(uow, grant, t, HOLD_PARTNERSHIP, partnership_reason(partnership.reasons), WORKER, clock)
    review(uow, grant, first, actor=AUTO_RELEASER, threshold=threshold, clock=clock)


def accept_report(uow: UnitOfWork, report: ReportAccepted, *, threshold: int, clock: Clock = system_clock) -> None:
    """Report n accepted: record the fact on tranche n+1 and release it if nothing else holds it back."""
    grant = uow.session.get(Grant, report.grant_id, with_for_update=True)
    if grant is None:
        raise NotReady(f"grant {report.grant_id} is not known to payments yet")
    tranche = uow.session.scalars(
        select(Tranche).where(Tranche.grant_id == grant.grant_id, Tranche.number == report.period_number + 1,
                              Tranche.status != "cancelled").with_for_update()
    ).first()  # fmt: skip
    if tranche is None:
        log.info("report %s for period %d releases nothing: no later tranche", report.report_id, report.period_number)
        return
    if tranche.facts.get(PREVIOUS_REPORT_ACCEPTED) is not True:
        before = snapshot(tranche)
        tranche.facts = {**tranche.facts, PREVIOUS_REPORT_ACCEPTED: True}
        tranche.updated_at = clock()
        uow.audit(actor=report.accepted_by, action="tranche.report-accepted", entity_type="tranche",
                  entity_id=tranche.tranche_id, before=before, after=snapshot(tranche))  # fmt: skip
    # The assessor whose acceptance released the tranche is its releaser: they may not also approve it.
    review(uow, grant, tranche, actor=report.accepted_by, threshold=threshold, clock=clock)


def partnership_reason(reasons: list[str]) -> str:
    """The hold reason given when a partnership stops meeting the composition rule."""
    detail = "; ".join(reasons) or "the partnership no longer meets the composition rule"
    return f"partnership_compliant: not met ({detail})"


def change_partnership(
    uow: UnitOfWork, change: PartnershipChanged, *, threshold: int, event_id: str, clock: Clock = system_clock
) -> None:
    """Keep the newest compliance of a partnership; hold its grants' unreleased tranches, or resume them."""
    known = uow.session.get(Partnership, change.partnership_id, with_for_update=True)
    changed_at = utc(change.changed_at)
    if known is not None and utc(known.changed_at) >= changed_at:
        return  # an older change arrived late: the newer one already applies
    reasons = [f"{o.rule}: {o.detail}" for o in change.outcomes if not o.passed]
    if known is None:
        known = Partnership(partnership_id=change.partnership_id)
        uow.session.add(known)
    known.organisation_id, known.compliant, known.reasons = change.organisation_id, change.compliant, reasons
    known.changed_at, known.event_id = changed_at, event_id
    uow.session.flush()
    grants = list(uow.session.scalars(
        select(Grant).where(Grant.partnership_id == change.partnership_id).order_by(Grant.grant_id).with_for_update()
    ))  # fmt: skip
    for grant in grants:
        tranches = uow.session.scalars(
            select(Tranche).where(Tranche.grant_id == grant.grant_id, Tranche.status.in_(UNRELEASED))
            .order_by(Tranche.number).with_for_update()
        )  # fmt: skip
        for tranche in tranches:
            if change.compliant:
                lift_hold(uow, grant, tranche, HOLD_PARTNERSHIP, AUTO_RELEASER, threshold, clock)
            else:
                add_hold(uow, grant, tranche, HOLD_PARTNERSHIP, partnership_reason(reasons), WORKER, clock)


def open_round(uow: UnitOfWork, opened: RoundOpened) -> None:
    """Remember a funding round's budget: no variation may commit the round beyond it."""
    if uow.session.get(Round, opened.round_id) is None:
        uow.session.add(Round(round_id=opened.round_id, name=opened.name[:200], budget_pence=opened.budget_pence,
                              opened_at=utc(opened.opened_at)))  # fmt: skip
