"""Consumers through a unit of work: schedules, releases, holds; correct under duplicates and reordering."""

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.delivery import NotReady
from payments.adapters.ledger_store import balances
from payments.adapters.orm import Grant, LedgerTransactionRow, PaymentInstruction, Tranche
from payments.domain.schedule import add_months
from payments_tests.conftest import THRESHOLD
from payments_tests.kit import (
    AWARDED_AT,
    accepted,
    award_and_open,
    awarded,
    count,
    deliver,
    events,
    instructions,
    on_grant_awarded,
    on_partnership_changed,
    on_report_accepted,
    open_first_tranche,
    partnership,
    tranches,
)

Sessions = sessionmaker[Session]


def test_an_award_is_scheduled_semi_annually_committed_and_tranche_one_held_until_its_conditions(
    sessions: Sessions,
) -> None:
    assert deliver(sessions, awarded(amount=1_000_001, months=24), on_grant_awarded)
    schedule = tranches(sessions)
    assert [t.amount_pence for t in schedule] == [250_001, 250_000, 250_000, 250_000]
    day = AWARDED_AT.date()
    assert [t.due_on for t in schedule] == [day, add_months(day, 6), add_months(day, 12), add_months(day, 18)]
    assert [t.status for t in schedule] == ["held", "scheduled", "scheduled", "scheduled"]
    assert [e["number"] for e in events(sessions, "tranche-scheduled")] == [1, 2, 3, 4]
    [held] = events(sessions, "tranche-held")
    assert [r.split(":")[0] for r in held["reasons"]] == ["agreement_signed", "plan_endorsed"]
    assert events(sessions, "tranche-released") == [] and instructions(sessions) == []
    open_first_tranche(sessions)
    assert [t.status for t in tranches(sessions)] == ["released", "scheduled", "scheduled", "scheduled"]
    assert tranches(sessions)[0].released_by == "asha"  # the assessor's endorsement completed the conditions
    [released] = events(sessions, "tranche-released")
    assert released["tranche_id"] == schedule[0].tranche_id and released["amount_pence"] == 250_001
    [instruction] = instructions(sessions)
    assert (instruction.status, instruction.amount_pence, instruction.attempt) == ("created", 250_001, 1)
    with sessions() as session:
        assert balances(session, None) == {"fund:awarded": 1_000_001, "grant:g-1:commitment": -1_000_001}


def test_a_duplicate_award_gives_one_schedule(sessions: Sessions) -> None:
    envelope = awarded()
    assert deliver(sessions, envelope, on_grant_awarded)
    assert not deliver(sessions, envelope, on_grant_awarded)  # same event id: the inbox drops it
    assert deliver(sessions, awarded(), on_grant_awarded)  # a new event id for the same grant: no effect either
    assert count(sessions, Grant) == 1 and count(sessions, Tranche) == 4
    assert count(sessions, LedgerTransactionRow) == 1 and count(sessions, PaymentInstruction) == 0
    assert len(events(sessions, "tranche-scheduled")) == 4 and len(events(sessions, "tranche-held")) == 1


def test_a_tranche_above_the_threshold_awaits_approval(sessions: Sessions) -> None:
    award_and_open(sessions, awarded(amount=4 * (THRESHOLD + 1), months=24), on_grant_awarded)
    assert tranches(sessions)[0].status == "awaiting_approval"
    assert [i.status for i in instructions(sessions)] == ["awaiting_approval"]
    assert events(sessions, "tranche-released") == []


def test_an_accepted_report_releases_the_next_tranche_once(sessions: Sessions) -> None:
    award_and_open(sessions, awarded(), on_grant_awarded)
    for envelope in (accepted(period=1), accepted(period=1)):  # two acceptances (different event ids)
        deliver(sessions, envelope, on_report_accepted)
    second = tranches(sessions)[1]
    assert second.status == "released" and second.released_by == "asha"
    assert [i.tranche_id for i in instructions(sessions)].count(second.tranche_id) == 1
    assert len(events(sessions, "tranche-released")) == 2


def test_a_report_before_its_award_is_not_ready_and_writes_nothing(sessions: Sessions) -> None:
    with pytest.raises(NotReady):
        deliver(sessions, accepted(period=1), on_report_accepted)
    assert count(sessions, Tranche) == 0 and events(sessions) == []


def test_the_last_report_releases_nothing(sessions: Sessions) -> None:
    award_and_open(sessions, awarded(amount=800_000, months=12), on_grant_awarded)
    deliver(sessions, accepted(period=2), on_report_accepted)
    assert [t.status for t in tranches(sessions)] == ["released", "scheduled"]


def test_a_non_compliant_partnership_holds_tranches_until_it_complies_again(sessions: Sessions) -> None:
    award_and_open(sessions, awarded(), on_grant_awarded)
    deliver(sessions, partnership(False, AWARDED_AT + timedelta(days=1)), on_partnership_changed)
    assert [t.status for t in tranches(sessions)] == ["released", "held", "held", "held"]
    assert "residents_majority" in tranches(sessions)[1].holds[0]["reason"]
    assert [e["number"] for e in events(sessions, "tranche-held") if e["number"] > 1] == [2, 3, 4]
    deliver(sessions, accepted(period=1), on_report_accepted)  # recorded, but the hold stands
    assert tranches(sessions)[1].status == "held"
    deliver(sessions, partnership(True, AWARDED_AT + timedelta(days=2)), on_partnership_changed)
    assert [t.status for t in tranches(sessions)] == ["released", "released", "scheduled", "scheduled"]
    assert len(events(sessions, "tranche-released")) == 2
    assert [e["number"] for e in events(sessions, "tranche-resumed")] == [1, 2, 3, 4]  # 1: its conditions met


def test_a_late_older_partnership_change_is_ignored(sessions: Sessions) -> None:
    award_and_open(sessions, awarded(), on_grant_awarded)
    deliver(sessions, partnership(True, AWARDED_AT + timedelta(days=5)), on_partnership_changed)
    deliver(sessions, partnership(False, AWARDED_AT + timedelta(days=1)), on_partnership_changed)
    assert [t.status for t in tranches(sessions)] == ["released", "scheduled", "scheduled", "scheduled"]
    assert [e for e in events(sessions, "tranche-held") if e["number"] > 1] == []


def test_an_award_to_a_non_compliant_partnership_holds_every_tranche(sessions: Sessions) -> None:
    deliver(sessions, partnership(False, AWARDED_AT - timedelta(days=1)), on_partnership_changed)
    deliver(sessions, awarded(amount=800_000, months=12), on_grant_awarded)
    assert [t.status for t in tranches(sessions)] == ["held", "held"]
    open_first_tranche(sessions)  # the conditions are met, the partnership hold stands
    assert [t.status for t in tranches(sessions)] == ["held", "held"]
    assert count(sessions, PaymentInstruction) == 0
    deliver(sessions, partnership(True, AWARDED_AT + timedelta(days=1)), on_partnership_changed)
    assert [t.status for t in tranches(sessions)] == ["released", "scheduled"]
