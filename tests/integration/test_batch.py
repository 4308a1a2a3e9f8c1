"""A batch applied in one transaction: duplicates skipped, a failing or waiting message kept apart, deferred rows."""

from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite

from grants_shared import tables
from grants_shared.delivery import NotReady, Route, awaiting
from grants_shared.delivery.apply import message_for
from grants_shared.delivery.batch import Batch, BatchResult
from grants_shared.events import Envelope, ReportAccepted, TrancheScheduled, wrap
from grants_shared.uow import UnitOfWork, defer
from tests.support.consuming import effects

GROUP = "batch-test"


def accepted(n: int) -> Envelope[Any]:
    return wrap(
        ReportAccepted(
            report_id=f"r{n}", grant_id="g1", period_number=n, accepted_by="assessor", accepted_at=datetime.now(UTC)
        ),
        subject="g1",
    )


def scheduled(tranche_id: str) -> Envelope[Any]:
    return wrap(
        TrancheScheduled(
            grant_id="g1", tranche_id=tranche_id, number=1, of_tranches=1, due_on=date(2027, 4, 1), amount_pence=100
        ),
        subject="g1",
    )


def record_effect(envelope: Envelope[Any], uow: UnitOfWork) -> None:
    uow.session.execute(insert(effects).values(event_id=envelope.event_id, n=envelope.payload.period_number))


def apply(sessions: Any, routes: list[Route], envelopes: list[Envelope[Any]]) -> BatchResult:
    by_stream = {route.stream: route for route in routes}
    messages = [message_for(e, by_stream[type(e.payload).stream()]) for e in envelopes]
    with sessions() as session:
        result = Batch(session, GROUP, by_stream, datetime.now(UTC)).apply(messages)
        session.commit()
    return result


def statuses(result: BatchResult) -> list[str]:
    return [outcome.status for outcome in result.outcomes]


def effect_ids(sessions: Any) -> list[str]:
    with sessions() as s:
        return sorted(s.scalars(select(effects.c.event_id)))


def inbox_ids(sessions: Any) -> list[str]:
    with sessions() as s:
        return sorted(s.scalars(select(tables.inbox.c.event_id).where(tables.inbox.c.consumer_group == GROUP)))


def parked(sessions: Any) -> list[tuple[str, str]]:
    with sessions() as s:
        return [(r.event_id, r.waits_for) for r in s.execute(select(tables.parked))]


def test_an_event_already_in_the_inbox_is_a_duplicate_and_the_rest_of_the_batch_applies(sessions: Any) -> None:
    first, second, third = accepted(1), accepted(2), accepted(3)
    apply(sessions, [Route(ReportAccepted, record_effect)], [second])
    result = apply(sessions, [Route(ReportAccepted, record_effect)], [first, second, third, third])
    assert sorted(statuses(result)) == ["applied", "applied", "duplicate", "duplicate"]
    assert {o.message.event_id for o in result.outcomes if o.status == "duplicate"} == {second.event_id, third.event_id}
    expected = sorted(e.event_id for e in (first, second, third))
    assert effect_ids(sessions) == expected and inbox_ids(sessions) == expected


def test_a_message_failing_in_the_middle_is_kept_apart_and_the_others_commit_once(sessions: Any) -> None:
    runs: Counter[int] = Counter()

    def fails_on_three(envelope: Envelope[Any], uow: UnitOfWork) -> None:
        runs[envelope.payload.period_number] += 1
        if envelope.payload.period_number == 3:
            raise ValueError("period 3 is broken")
        record_effect(envelope, uow)

    envelopes = [accepted(n) for n in range(1, 6)]
    result = apply(sessions, [Route(ReportAccepted, fails_on_three)], envelopes)
    assert statuses(result) == ["applied", "applied", "failed", "applied", "applied"]
    failed = result.outcomes[2]
    assert isinstance(failed.exception, ValueError) and "period 3 is broken" in (failed.error or "")
    kept = sorted(e.event_id for n, e in enumerate(envelopes, start=1) if n != 3)
    assert effect_ids(sessions) == kept and inbox_ids(sessions) == kept  # each applied once, the failure not at all
    assert parked(sessions) == []  # a failure is not parked: it stays pending in Redis and is claimed again
    assert max(runs.values()) <= 2  # a run is undone and applied again once, not message by message


def test_a_message_not_ready_in_the_middle_is_parked_and_woken_by_the_id_it_waits_for(sessions: Any) -> None:
    def needs_tranche(envelope: Envelope[Any], uow: UnitOfWork) -> None:
        if envelope.payload.period_number == 2:
            found = uow.session.execute(select(effects.c.event_id).where(effects.c.n == -1)).first()
            if found is None:
                raise NotReady("tranche t9 not scheduled yet", waits_for=awaiting("tranche_id", "t9"))
        record_effect(envelope, uow)

    def tranche(envelope: Envelope[Any], uow: UnitOfWork) -> None:
        uow.session.execute(insert(effects).values(event_id=envelope.event_id, n=-1))

    routes = [Route(ReportAccepted, needs_tranche), Route(TrancheScheduled, tranche)]
    envelopes = [accepted(n) for n in range(1, 5)]
    result = apply(sessions, routes, envelopes)
    assert statuses(result) == ["applied", "parked", "applied", "applied"]
    assert parked(sessions) == [(envelopes[1].event_id, "tranche_id:t9")]
    assert len(effect_ids(sessions)) == 3 and envelopes[1].event_id not in inbox_ids(sessions)
    woken = apply(sessions, routes, [scheduled("t9")])
    assert woken.woken == 1 and parked(sessions) == []
    assert envelopes[1].event_id in effect_ids(sessions) and envelopes[1].event_id in inbox_ids(sessions)


def insert_effect_later(uow: UnitOfWork, event_id: str, n: int) -> None:
    dialect = postgresql if uow.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(effects).on_conflict_do_nothing()
    defer(uow.session, statement, {"event_id": event_id, "n": n})


def test_deferred_rows_are_seen_by_later_reads_and_dropped_with_a_message_that_is_undone(sessions: Any) -> None:
    def deferring(envelope: Envelope[Any], uow: UnitOfWork) -> None:
        n = envelope.payload.period_number
        insert_effect_later(uow, envelope.event_id, n)
        if n == 3:
            raise NotReady("period 3 waits", waits_for=awaiting("tranche_id", "never"))
        if n == 4:  # reads what period 1 deferred: the kept rows are written before any statement
            assert uow.session.execute(select(effects.c.event_id).where(effects.c.n == 1)).first() is not None

    envelopes = [accepted(n) for n in range(1, 6)]
    result = apply(sessions, [Route(ReportAccepted, deferring)], envelopes)
    assert statuses(result) == ["applied", "applied", "parked", "applied", "applied"]
    kept = sorted(e.event_id for n, e in enumerate(envelopes, start=1) if n != 3)
    assert effect_ids(sessions) == kept and inbox_ids(sessions) == kept  # the undone message's row is not written
