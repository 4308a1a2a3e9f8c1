"""Report schedules: one report per tranche period with a due date, reports due and overdue, reminders sent once
per period and kind (through the outbox to a real Redis), and the overdue count on /metrics."""

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.events import ReportOverdue, ReportReminderDue
from grants_shared.uow import UnitOfWork
from grants_shared.wire import decode_entry
from reporting import bootstrap, worker
from reporting.adapters.orm_outcomes import ReportReminder
from reporting.domain.periods import ReportPeriod, add_months, report_periods, report_status
from reporting.usecases.reminders import send_reminders

from .conftest import APPLICANT, ASSESSOR, OPERATOR, OTHER_APPLICANT, problem
from .story import Story, count, deliver
from .test_outcomes import results_body
from .test_reports_api import outbox

TODAY = datetime.now(UTC).date()


def grant_due_around_today(sessions: sessionmaker[Session], n: int = 1, organisation_id: str = "org-1") -> Story:
    """A grant awarded 400 days ago: tranches due then, 200 days ago, in 10 days and in 200 days.

    So period 1's report is overdue (due 200 days ago), period 2's is due within the 14-day window, period 3's is
    open and period 4's falls due at the end of the grant's ten years.
    """
    awarded = datetime.combine(TODAY - timedelta(days=400), datetime.min.time(), UTC)
    dues = [
        TODAY - timedelta(days=400),
        TODAY - timedelta(days=200),
        TODAY + timedelta(days=10),
        TODAY + timedelta(days=200),
    ]
    story = Story(n=n, organisation_id=organisation_id, awarded_at=awarded, tranches=len(dues))
    for envelope in [*story.up_to_award(), *(story.scheduled(k, due) for k, due in enumerate(dues, start=1))]:
        deliver(sessions, envelope)
    return story


def test_each_period_falls_due_when_the_next_tranche_does() -> None:
    dues = {1: date(2027, 1, 10), 2: date(2027, 7, 1), 3: date(2028, 1, 1)}
    periods = report_periods(date(2027, 1, 10), 24, dues)
    assert periods == [
        ReportPeriod(1, date(2027, 1, 10), date(2027, 7, 1)),
        ReportPeriod(2, date(2027, 7, 1), date(2028, 1, 1)),
        ReportPeriod(3, date(2028, 1, 1), date(2029, 1, 10)),  # the last: at the end of the grant
    ]
    second = periods[1]
    assert report_status(second, None, date(2027, 6, 30), 14) == "not_started"
    assert report_status(second, None, date(2027, 7, 1), 14) == "open"
    assert report_status(second, None, date(2027, 12, 18), 14) == "due"
    assert report_status(second, None, date(2028, 1, 1), 14) == "due"
    assert report_status(second, None, date(2028, 1, 2), 14) == "overdue"
    assert report_status(second, "submitted", date(2028, 1, 2), 14) == "submitted"
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)


def test_a_grants_schedule_shows_each_report_and_where_it_stands(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    grant_due_around_today(sessions)
    schedule = client.get("/grants/grant-1/report-schedule", headers=APPLICANT).json()
    assert [(r["period_number"], r["status"]) for r in schedule["reports"]] == [
        (1, "overdue"),
        (2, "due"),
        (3, "not_started"),
        (4, "not_started"),
    ]
    assert schedule["reports"][1]["due_on"] == (TODAY + timedelta(days=10)).isoformat()
    report = client.post("/reports", json=results_body(1, {"residents_engaged": 4}), headers=APPLICANT).json()
    assert client.get("/grants/grant-1/report-schedule", headers=APPLICANT).json()["reports"][0] == {
        **schedule["reports"][0],
        "status": "submitted",
        "report_id": report["id"],
    }
    client.post(f"/reports/{report['id']}/request-changes", json={"reasons": ["Add a count."]}, headers=ASSESSOR)
    again = client.get("/grants/grant-1/report-schedule", headers=APPLICANT).json()["reports"][0]
    assert again["status"] == "overdue"  # sent back: the period owes a report again
    problem(client.get("/grants/grant-1/report-schedule", headers=OTHER_APPLICANT), 404, "grant-not-found")


def test_operators_list_reports_due_and_overdue_across_the_fund(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    for n in (1, 2, 3):
        grant_due_around_today(sessions, n)
    client.post("/reports", json=results_body(1, {"residents_engaged": 4}, grant_id="grant-2"), headers=OPERATOR)
    overdue = client.get("/reports/due", params={"status": "overdue"}, headers=OPERATOR).json()
    assert overdue["total"] == 2 and {(r["grant_id"], r["period_number"]) for r in overdue["items"]} == {
        ("grant-1", 1),
        ("grant-3", 1),
    }
    due = client.get("/reports/due", params={"status": "due", "limit": 2}, headers=OPERATOR).json()
    assert due["total"] == 3 and len(due["items"]) == 2 and {r["period_number"] for r in due["items"]} == {2}
    problem(client.get("/reports/due", params={"status": "late"}, headers=OPERATOR), 422)
    metrics = client.get("/metrics/").text
    assert "grants_reports_overdue 2.0" in metrics and "grants_reports_due 3.0" in metrics


def reminders(sessions: sessionmaker[Session], today: date) -> int:
    """One turn of the reminder loop with the clock at noon on `today`."""
    with UnitOfWork(sessions) as uow:
        sent = send_reminders(uow, 14, clock=lambda: datetime.combine(today, datetime.min.time(), UTC))
        uow.commit()
    return sent


def test_a_reminder_is_sent_once_per_period_and_kind(client: TestClient, sessions: sessionmaker[Session]) -> None:
    grant_due_around_today(sessions)
    assert reminders(sessions, TODAY) == 2  # period 1 overdue, period 2 due soon
    assert reminders(sessions, TODAY) == 0
    events = [(e["event_type"], e["payload"]["period_number"]) for e in outbox(sessions)]
    assert sorted(events) == [("report-overdue", 1), ("report-reminder-due", 2)]
    later = TODAY + timedelta(days=11)  # period 2 is now overdue too: one more event, of the other kind
    assert reminders(sessions, later) == 1 and reminders(sessions, later) == 0
    assert count(sessions, ReportReminder) == 3
    overdue = [e["payload"] for e in outbox(sessions) if e["event_type"] == "report-overdue"]
    assert sorted((p["period_number"], p["days_overdue"]) for p in overdue) == [(1, 200), (2, 1)]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def eventually(check: Callable[[], bool], timeout: float = 30) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await asyncio.to_thread(check):
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


def periods_in(client: redis.Redis, stream: str) -> list[tuple[str, int]]:
    """(grant, period) of every reminder on a stream."""
    found = []
    for _, fields in client.xrange(stream):
        envelope, _headers = decode_entry(fields)
        found.append((envelope["payload"]["grant_id"], envelope["payload"]["period_number"]))
    return found


@pytest.mark.anyio
async def test_the_worker_publishes_each_reminder_once_on_redis(
    db: str, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    for name, value in {
        "REPORTING_DATABASE_URL": db,
        "REDIS_URL": redis_url,
        "GRANTS_RELAY_INTERVAL_S": "0.02",
        "REPORTING_REPORT_REMINDER_INTERVAL_S": "0.05",
    }.items():
        monkeypatch.setenv(name, value)
    bootstrap.reset()
    app = worker.create_app()
    await app.start()
    try:
        sessions = bootstrap.sessions()
        await asyncio.to_thread(grant_due_around_today, sessions, 1)
        await eventually(lambda: client.exists(ReportReminderDue.stream(), ReportOverdue.stream()) == 2)
        # a second grant falling behind later: its reminders prove the loop has turned again since the first ones
        await asyncio.to_thread(grant_due_around_today, sessions, 2)
        await eventually(lambda: ("grant-2", 1) in periods_in(client, ReportOverdue.stream()))
        await eventually(lambda: ("grant-2", 2) in periods_in(client, ReportReminderDue.stream()))
        assert periods_in(client, ReportOverdue.stream()) == [("grant-1", 1), ("grant-2", 1)]
        assert periods_in(client, ReportReminderDue.stream()) == [("grant-1", 2), ("grant-2", 2)]
    finally:
        await app.stop()
        bootstrap.reset()
        client.flushdb()
