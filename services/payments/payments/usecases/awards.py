"""Use cases driven by other services' events: award a grant, accept a report, a partnership changed, a round opened."""

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from grants_shared.clock import Clock, now, system_clock, today
from grants_shared.clock import as_utc as utc
from grants_shared.delivery import NotReady
from grants_shared.events import GrantAwarded, PartnershipChanged, ReportAccepted, RoundOpened, TrancheScheduled
from grants_shared.uow import UnitOfWork
from payments.adapters.ledger_store import post, posting_key
from payments.adapters.orm import Grant, Partnership, Tranche
from payments.adapters.orm_variations import Round
from payments.domain.ledger import TransactionKind, award_commitment
from payments.domain.release_conditions import PREVIOUS_REPORT_ACCEPTED
from payments.domain.release_rules import ReleasePolicy
from payments.domain.schedule import schedule_for
from payments.domain.statuses import HOLD_CONDITIONS, HOLD_PARTNERSHIP, UNRELEASED
from payments.usecases.award_rows import (
    INSERT_GRANT,
    INSERT_TRANCHES,
    AwardState,
    GrantRef,
    award_state,
    draft,
    grant_row,
    quick_stable_id,
    row_of,
    tranche_rows,
)
from payments.usecases.budgets import require_headroom
from payments.usecases.errors import AwardOutsideRound, ReportPeriodUnknown
from payments.usecases.releases import AUTO_RELEASER, add_hold, lift_hold, review, snapshot, unmet_facts

log = logging.getLogger(__name__)
WORKER = "payments-worker"


def tranche_id_of(grant_id: str, number: int, variation_id: str | None = None) -> str:
    """The stable id of a grant's tranche (a replayed award lands on the same ids; a variation's are its own)."""
    parts = (grant_id, "tranche", str(number)) + ((variation_id,) if variation_id else ())
    return quick_stable_id("/".join(parts))


def award_grant(
    uow: UnitOfWork, award: GrantAwarded, *, policy: ReleasePolicy, payee_sort_code: str, clock: Clock = system_clock
) -> None:
    """Schedule a new grant by its type's rule from its award date, commit it in the ledger; review tranche 1.

    Tranche 1 falls due at the award: it is held until its conditions are met (a starter grant: no plan). The rows are
    built in memory (the hold rules work on transient tranches) and written with one statement per table.
    """
    session, key = uow.session, posting_key(TransactionKind.AWARD, award.grant_id)
    state = award_state(session, award, key)
    if state.grant_known:
        return  # the schedule exists already: a replayed or repeated award changes nothing
    _check_round(session, award, state.round_opened_at)
    awarded_at, at = utc(award.awarded_at), clock()
    schedule = schedule_for(award.grant_type, award.amount_pence, award.duration_months, awarded_at.date())
    ids = [tranche_id_of(award.grant_id, due.number) for due in schedule]
    rows = tranche_rows(award.grant_id, schedule, ids, at, award.grant_type)
    for row in rows:
        uow.emit(
            TrancheScheduled(
                grant_id=award.grant_id,
                tranche_id=row["tranche_id"],
                number=row["number"],
                of_tranches=len(rows),
                due_on=row["due_on"],
                amount_pence=row["amount_pence"],
            ),
            subject=award.grant_id,
        )
    uow.audit(
        actor=WORKER,
        action="grant.scheduled",
        entity_type="grant",
        entity_id=award.grant_id,
        after={"amount_pence": award.amount_pence, "tranches": len(rows)},
    )
    rows, first_unmet = _hold_new_tranches(uow, award, rows, state, clock)
    session.execute(INSERT_GRANT, grant_row(award, awarded_at, payee_sort_code, now()))
    session.execute(INSERT_TRANCHES, rows)
    if not state.posted:
        post(
            session,
            key,
            lambda tid: award_commitment(
                award.grant_id, award.amount_pence, transaction_id=tid, effective_at=awarded_at
            ),
        )
    if not first_unmet:  # nothing holds tranche 1 back at its award (no such rule today): the full review
        grant, first = session.get_one(Grant, award.grant_id), session.get_one(Tranche, rows[0]["tranche_id"])
        review(uow, grant, first, actor=AUTO_RELEASER, policy=policy, clock=clock)


def _check_round(session: Any, award: GrantAwarded, opened_at: datetime | None) -> None:
    """An award in a round payments knows must fit it: awarded once the round opened, within the round's budget.

    Payments learns rounds from round-opened, which may come after an award (another stream): an award in a round
    not announced yet (`opened_at` None, read with the award's state) is taken on allocation's signature alone.
    """
    if opened_at is None:
        return
    if utc(award.awarded_at) < utc(opened_at):
        raise AwardOutsideRound(f"Grant {award.grant_id} is dated before round {award.round_id} opened.")
    require_headroom(session, award.round_id, award.amount_pence)


def _hold_new_tranches(
    uow: UnitOfWork, award: GrantAwarded, rows: list[dict[str, Any]], state: AwardState, clock: Clock
) -> tuple[list[dict[str, Any]], list[str]]:
    """Put a new schedule's holds on before it is written: the partnership's, if it is not compliant, on every
    tranche; then, as `review` would, the conditions' hold on tranche 1 when it is due. Returns the rows and
    tranche 1's unmet conditions."""
    ref = GrantRef(award.grant_id, award.partnership_id)
    held = rows if state.compliant is False else rows[:1]
    drafts = [draft(row) for row in held]
    if state.compliant is False:
        partnership = uow.session.get_one(Partnership, award.partnership_id)
        for tranche in drafts:
            add_hold(uow, ref, tranche, HOLD_PARTNERSHIP, partnership_reason(partnership.reasons), WORKER, clock)
    first = drafts[0]
    unmet = unmet_facts(first)
    if unmet and first.due_on <= today(clock):
        add_hold(uow, ref, first, HOLD_CONDITIONS, unmet, AUTO_RELEASER, clock)
    return [row_of(t, row) for t, row in zip(drafts, held, strict=True)] + rows[len(held) :], unmet


def accept_report(
    uow: UnitOfWork, report: ReportAccepted, *, policy: ReleasePolicy, clock: Clock = system_clock
) -> None:
    """Report n accepted: record the fact on tranche n+1 and release it if nothing else holds it back."""
    grant = uow.session.get(Grant, report.grant_id, with_for_update=True)
    if grant is None:
        raise NotReady(f"grant {report.grant_id} is not known to payments yet")
    periods = uow.session.scalar(select(func.max(Tranche.number)).where(Tranche.grant_id == grant.grant_id)) or 0
    if not 1 <= report.period_number <= periods:
        raise ReportPeriodUnknown(
            f"Report {report.report_id} is for period {report.period_number}; grant {grant.grant_id} has periods"
            f" 1 to {periods}."
        )
    tranche = uow.session.scalars(
        select(Tranche)
        .where(
            Tranche.grant_id == grant.grant_id,
            Tranche.number == report.period_number + 1,
            Tranche.status != "cancelled",
        )
        .with_for_update()
    ).first()
    if tranche is None:
        log.info("report %s for period %d releases nothing: no later tranche", report.report_id, report.period_number)
        return
    if tranche.facts.get(PREVIOUS_REPORT_ACCEPTED) is not True:
        before = snapshot(tranche)
        tranche.facts = {**tranche.facts, PREVIOUS_REPORT_ACCEPTED: True}
        tranche.updated_at = clock()
        uow.audit(
            actor=report.accepted_by,
            action="tranche.report-accepted",
            entity_type="tranche",
            entity_id=tranche.tranche_id,
            before=before,
            after=snapshot(tranche),
        )
    # The assessor whose acceptance released the tranche is its releaser: they may not also approve it.
    review(uow, grant, tranche, actor=report.accepted_by, policy=policy, clock=clock)


def partnership_reason(reasons: list[str]) -> str:
    """The hold reason given when a partnership stops meeting the composition rule."""
    detail = "; ".join(reasons) or "the partnership no longer meets the composition rule"
    return f"partnership_compliant: not met ({detail})"


def change_partnership(
    uow: UnitOfWork, change: PartnershipChanged, *, policy: ReleasePolicy, event_id: str, clock: Clock = system_clock
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
    grants = list(
        uow.session.scalars(
            select(Grant)
            .where(Grant.partnership_id == change.partnership_id)
            .order_by(Grant.grant_id)
            .with_for_update()
        )
    )
    for grant in grants:
        tranches = uow.session.scalars(
            select(Tranche)
            .where(Tranche.grant_id == grant.grant_id, Tranche.status.in_(UNRELEASED))
            .order_by(Tranche.number)
            .with_for_update()
        )
        for tranche in tranches:
            if change.compliant:
                lift_hold(uow, grant, tranche, HOLD_PARTNERSHIP, AUTO_RELEASER, policy, clock)
            else:
                add_hold(uow, grant, tranche, HOLD_PARTNERSHIP, partnership_reason(reasons), WORKER, clock)


def open_round(uow: UnitOfWork, opened: RoundOpened) -> None:
    """Remember a funding round's budget: no variation may commit the round beyond it."""
    if uow.session.get(Round, opened.round_id) is None:
        uow.session.add(
            Round(
                round_id=opened.round_id,
                name=opened.name[:200],
                budget_pence=opened.budget_pence,
                opened_at=utc(opened.opened_at),
            )
        )
        uow.session.flush()  # written now: an award later in the same batch reads its round with a Core statement
