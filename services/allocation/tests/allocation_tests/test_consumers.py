"""The consumers keep the pool right under duplicates and reordering."""

from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from allocation.adapters.orm import AssessedApplication, Partnership
from allocation.adapters.pool import load_inputs
from allocation.consumers.pool import on_application_assessed
from allocation_tests.db import count
from allocation_tests.seed import T0, assessed, deliver, need, partnership, withdrawn
from grants_shared.uow import UnitOfWork


def pool_ids(sessions: sessionmaker[Session]) -> list[str]:
    """Application ids in the pool now."""
    with sessions() as session:
        return [a.application_id for a in load_inputs(session, {}).applications]


def test_an_assessment_puts_the_application_in_the_pool_once(sessions: sessionmaker[Session]) -> None:
    event = assessed("a1", need(1), requested_pence=123_000_000)
    assert deliver(sessions, event) is True
    assert deliver(sessions, event) is False  # the same event again: the inbox drops it
    assert pool_ids(sessions) == ["a1"]
    assert count(sessions, "assessed_applications") == 1 and count(sessions, "audit_log") == 1
    with sessions() as session:
        row = session.get(AssessedApplication, "a1")
        assert row is not None and row.requested_pence == 123_000_000 and row.neighbourhood_code == "E05000001"


def test_the_handler_is_idempotent_by_its_own_keys(sessions: sessionmaker[Session]) -> None:
    event = assessed("a1", need(1))
    for _ in range(2):  # no inbox: the handler alone must not double anything
        with UnitOfWork(sessions, cause=event) as uow:
            on_application_assessed(event, uow)
            uow.commit()
    assert count(sessions, "assessed_applications") == 1 and count(sessions, "neighbourhoods") == 1


def test_a_later_assessment_replaces_an_earlier_one_in_any_order(sessions: sessionmaker[Session]) -> None:
    early = assessed("a1", need(1), requested_pence=100_000_000, at=T0)
    late = assessed("a1", need(1), requested_pence=200_000_000, eligible=False, at=T0 + timedelta(days=1))
    deliver(sessions, late)
    deliver(sessions, early)  # arrives second but is older: changes nothing
    with sessions() as session:
        row = session.get(AssessedApplication, "a1")
        assert row is not None and row.requested_pence == 200_000_000 and row.eligible is False


def test_a_newer_neighbourhood_snapshot_wins_whatever_the_order(sessions: sessionmaker[Session]) -> None:
    deliver(sessions, assessed("a2", need(1, imd_mean_rank=999.0), at=T0 + timedelta(days=2)))
    deliver(sessions, assessed("a1", need(1, imd_mean_rank=111.0), at=T0))
    with sessions() as session:
        [snapshot] = load_inputs(session, {}).neighbourhoods
    assert snapshot["imd_mean_rank"] == 999.0


def test_a_withdrawal_before_its_assessment_keeps_the_application_out(sessions: sessionmaker[Session]) -> None:
    deliver(sessions, withdrawn("a1"))
    deliver(sessions, assessed("a1", need(1), at=T0 + timedelta(hours=1)))
    deliver(sessions, assessed("a2", need(2)))
    assert pool_ids(sessions) == ["a2"]


def test_a_withdrawal_after_its_assessment_takes_it_out_once(sessions: sessionmaker[Session]) -> None:
    deliver(sessions, assessed("a1", need(1)))
    event = withdrawn("a1")
    assert deliver(sessions, event) and not deliver(sessions, event)
    deliver(sessions, withdrawn("a1"))  # a second withdrawal event (new id) changes nothing
    assert pool_ids(sessions) == [] and count(sessions, "withdrawals") == 1


def test_partnership_compliance_follows_the_newest_change(sessions: sessionmaker[Session]) -> None:
    deliver(sessions, assessed("a1", need(1), partnership_id="p1"))
    deliver(sessions, partnership("p1", compliant=True, at=T0 + timedelta(days=2)))
    deliver(sessions, partnership("p1", compliant=False, at=T0 + timedelta(days=1)))  # older, late
    with sessions() as session:
        row = session.get(Partnership, "p1")
        assert row is not None and row.compliant is True
        [app] = load_inputs(session, {}).applications
    assert app.partnership_compliant is True


def test_a_non_compliant_partnership_is_recorded_with_its_reasons(sessions: sessionmaker[Session]) -> None:
    deliver(sessions, partnership("p1", compliant=False))
    deliver(sessions, assessed("a1", need(1), partnership_id="p1"))
    with sessions() as session:
        [app] = load_inputs(session, {}).applications
    assert app.partnership_compliant is False
    assert app.partnership_failures == ("resident_majority: 3 of 8 are residents, at least half needed",)
