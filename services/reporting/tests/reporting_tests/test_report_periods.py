"""A report is for a period of the grant's schedule that has begun (issue 11: reports for periods 1-3 accepted on
award day released tranches due years later). Period 1 begins at the award, period n when tranche n falls due."""

from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from grants_shared import tables
from grants_shared.auth import Principal, Role
from grants_shared.uow import UnitOfWork
from reporting.adapters.orm import ImpactReport
from reporting.domain.periods import PeriodNotScheduled, PeriodNotStarted
from reporting.usecases.commands import SubmitReport
from reporting.usecases.reports import submit_report

from .conftest import APPLICANT, OPERATOR, problem
from .story import Story, count, deliver
from .test_reports_api import OUTCOMES, report_body

ALICE = Principal(subject="alice", roles=frozenset({Role.APPLICANT}), organisation_id="org-1")


def half_years_from(start: date, tranches: int) -> list[date]:
    """Due dates every six months from `start` (tranche 1 on `start`)."""
    return [
        date(start.year + (start.month - 1 + 6 * n) // 12, (start.month - 1 + 6 * n) % 12 + 1, 1)
        for n in range(tranches)
    ]


def scheduled_grant(sessions: sessionmaker[Session], awarded_at: datetime, dues: list[date]) -> Story:
    """A grant awarded at `awarded_at` whose tranches fall due on `dues`."""
    story = Story(awarded_at=awarded_at, tranches=len(dues))
    for envelope in [*story.up_to_award(), *(story.scheduled(n, due) for n, due in enumerate(dues, start=1))]:
        deliver(sessions, envelope)
    return story


def written(sessions: sessionmaker[Session]) -> tuple[int, ...]:
    return tuple(count(sessions, t) for t in (ImpactReport, tables.outbox, tables.audit_log, tables.idempotency_keys))


def test_on_award_day_only_period_one_may_be_reported(client: TestClient, sessions: sessionmaker[Session]) -> None:
    now = datetime.now(UTC)
    scheduled_grant(sessions, now, [now.date(), *half_years_from(now.date(), 4)[1:]])
    for period in (2, 3):
        before = written(sessions)
        body = problem(client.post("/reports", json=report_body(period), headers=APPLICANT), 409, "period-not-started")
        assert body["period_number"] == period and date.fromisoformat(body["starts_on"]) > now.date()
        assert written(sessions) == before
    assert client.post("/reports", json=report_body(1), headers=APPLICANT).status_code == 201


def test_a_period_outside_the_schedule_is_refused(client: TestClient, sessions: sessionmaker[Session]) -> None:
    scheduled_grant(sessions, datetime(2024, 1, 5, 9, tzinfo=UTC), half_years_from(date(2024, 1, 5), 4))
    before = written(sessions)
    for period in (5, 99, 1000):
        for headers in (APPLICANT, OPERATOR):
            response = client.post("/reports", json=report_body(period), headers=headers)
            assert problem(response, 409, "period-not-scheduled")["period_number"] == period
    assert written(sessions) == before
    assert client.post("/reports", json=report_body(4), headers=APPLICANT).status_code == 201


def submit_on(sessions: sessionmaker[Session], period: int, day: date) -> ImpactReport:
    """Submit a report for `period` of grant-1 as alice, with the clock at noon on `day`."""
    with UnitOfWork(sessions) as uow:
        command = SubmitReport("grant-1", period, dict(OUTCOMES), "The hub opened.")
        report = submit_report(command, ALICE, uow, clock=lambda: datetime.combine(day, datetime.min.time(), UTC))
        uow.commit()
        return report


def test_a_period_opens_on_its_tranches_due_date(sessions: sessionmaker[Session]) -> None:
    awarded = datetime(2027, 3, 10, 23, 30, tzinfo=UTC)
    scheduled_grant(sessions, awarded, [date(2027, 4, 1), date(2027, 9, 1), date(2028, 3, 1)])
    for period, opens in ((1, awarded.date()), (2, date(2027, 9, 1)), (3, date(2028, 3, 1))):
        with pytest.raises(PeriodNotStarted):
            submit_on(sessions, period, opens - timedelta(days=1))
        assert submit_on(sessions, period, opens).period_number == period


def test_a_tranche_a_variation_removed_has_no_period(sessions: sessionmaker[Session]) -> None:
    story = scheduled_grant(sessions, datetime(2024, 1, 5, 9, tzinfo=UTC), half_years_from(date(2024, 1, 5), 4))
    deliver(sessions, story.varied(story.amount, {3: (date(2024, 7, 1), story.amount // 2)}, cancelled=[4]))
    with pytest.raises(PeriodNotScheduled):
        submit_on(sessions, 4, date(2030, 1, 1))
    assert submit_on(sessions, 3, date(2024, 7, 1)).period_number == 3
