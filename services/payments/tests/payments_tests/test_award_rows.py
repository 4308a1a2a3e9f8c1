"""The award's rows, written with Core statements: the same stored facts as the ORM wrote, exact in pence."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from grants_shared import tables
from grants_shared.delivery.apply import apply_envelopes
from grants_shared.delivery.messages import Route
from grants_shared.ids import stable_id
from payments import bootstrap
from payments.adapters.orm import Grant, LedgerPosting, LedgerTransactionRow
from payments.consumers.events import consumed
from payments.domain.release_conditions import AGREEMENT_SIGNED, PARTNERSHIP_COMPLIANT
from payments.domain.statuses import HOLD_CONDITIONS, HOLD_PARTNERSHIP
from payments.usecases.award_rows import quick_stable_id
from payments.usecases.awards import tranche_id_of
from payments.usecases.errors import AwardOutsideRound, OverBudget
from payments_tests.kit import (
    AWARDED_AT,
    awarded,
    count,
    deliver,
    events,
    ledger_failures,
    on_grant_awarded,
    on_partnership_changed,
    partnership,
    round_opened,
    tranches,
)

Sessions = sessionmaker[Session]


def test_the_quick_stable_id_is_the_stable_id() -> None:
    for parts in (("g-1", "tranche", "1"), ("grant-é", "tranche", "20", "variation-9"), ("",)):
        assert quick_stable_id("/".join(parts)) == stable_id(*parts)
    assert tranche_id_of("g-1", 3, "v-1") == stable_id("g-1", "tranche", "3", "v-1")


def test_an_award_stores_its_grant_schedule_holds_and_ledger_exactly(sessions: Sessions) -> None:
    assert deliver(sessions, awarded(amount=1_000_003, months=60), on_grant_awarded)

    schedule = tranches(sessions)
    assert sum(t.amount_pence for t in schedule) == 1_000_003 and len(schedule) == 10
    assert [t.tranche_id for t in schedule] == [tranche_id_of("g-1", n) for n in range(1, 11)]
    first, later = schedule[0], schedule[1:]
    assert first.status == "held" and AGREEMENT_SIGNED in first.conditions
    assert {h["kind"] for h in first.holds} == {HOLD_CONDITIONS} and first.facts == {}
    assert all(t.status == "scheduled" and t.holds == [] and t.facts == {} for t in later)
    assert all(PARTNERSHIP_COMPLIANT in t.conditions for t in schedule)
    with sessions() as session:
        grant = session.get_one(Grant, "g-1")
        assert (grant.amount_pence, grant.status, len(grant.payee_account_number)) == (1_000_003, "active", 8)
        (txn,) = session.scalars(select(LedgerTransactionRow)).all()
        lines = session.scalars(select(LedgerPosting).where(LedgerPosting.transaction_id == txn.transaction_id))
        assert sorted((p.debit_pence, p.credit_pence) for p in lines) == [(0, 1_000_003), (1_000_003, 0)]
        actions = list(session.scalars(select(tables.audit_log.c.action).order_by(tables.audit_log.c.id)))
    assert actions == ["grant.scheduled", "tranche.held"]
    assert [e["number"] for e in events(sessions, "tranche-scheduled")] == list(range(1, 11))
    assert [e["number"] for e in events(sessions, "tranche-held")] == [1]
    assert ledger_failures(sessions) == []


def test_a_repeated_award_under_another_event_id_changes_nothing(sessions: Sessions) -> None:
    deliver(sessions, awarded(), on_grant_awarded)
    before = (count(sessions, tables.outbox), count(sessions, LedgerPosting), count(sessions, tables.audit_log))
    assert deliver(sessions, awarded(), on_grant_awarded)  # a new event id: the inbox lets it in
    after = (count(sessions, tables.outbox), count(sessions, LedgerPosting), count(sessions, tables.audit_log))
    assert after == before
    assert len(tranches(sessions)) == 4


def test_an_award_to_a_non_compliant_partnership_holds_each_tranche_for_it_and_tranche_one_for_both(
    sessions: Sessions,
) -> None:
    deliver(sessions, partnership(False, AWARDED_AT - timedelta(days=1)), on_partnership_changed)
    deliver(sessions, awarded(amount=900_000, months=18), on_grant_awarded)

    schedule = tranches(sessions)
    assert [[h["kind"] for h in t.holds] for t in schedule] == [
        [HOLD_PARTNERSHIP, HOLD_CONDITIONS, HOLD_CONDITIONS],
        [HOLD_PARTNERSHIP],
        [HOLD_PARTNERSHIP],
    ]  # tranche 1: one conditions hold per unmet condition (agreement, plan)
    assert [e["number"] for e in events(sessions, "tranche-held")] == [1, 2, 3, 1]
    assert sum(t.amount_pence for t in schedule) == 900_000


def _round_then_award(sessions: Sessions, budget_pence: int, opened_days_before_award: int) -> None:
    """The round's opening and an award in it, applied in one batch (one transaction) as the worker would."""
    opened = round_opened(budget_pence)
    at = AWARDED_AT - timedelta(days=opened_days_before_award)
    opened = opened.model_copy(update={"payload": opened.payload.model_copy(update={"opened_at": at})})
    routes = [Route(event, handler) for event, handler in consumed(bootstrap.settings())]
    apply_envelopes(sessions, "payments", routes, [opened, awarded(amount=800_000, months=12)])


def test_an_award_in_a_round_opened_earlier_in_the_same_batch_is_checked_against_it(sessions: Sessions) -> None:
    _round_then_award(sessions, budget_pence=10**9, opened_days_before_award=1)
    assert len(tranches(sessions)) == 2


def test_an_award_dated_before_its_round_opened_in_the_same_batch_is_refused(sessions: Sessions) -> None:
    with pytest.raises(AwardOutsideRound):
        _round_then_award(sessions, budget_pence=10**9, opened_days_before_award=-1)
    assert tranches(sessions) == []


def test_an_award_beyond_its_round_budget_in_the_same_batch_is_refused(sessions: Sessions) -> None:
    with pytest.raises(OverBudget):
        _round_then_award(sessions, budget_pence=799_999, opened_days_before_award=1)
    assert tranches(sessions) == []
