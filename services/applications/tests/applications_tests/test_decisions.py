"""The AllocationDecided consumer: one effect per decision under duplicates, waiting for unknown applications."""

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from applications.adapters.orm import Decision
from applications.consumers import on_allocation_decided
from grants_shared.delivery import NotReady
from grants_shared.delivery.apply import apply_event
from grants_shared.events import AllocationDecided, Envelope, wrap
from grants_shared.inbox import first_delivery
from grants_shared.uow import UnitOfWork

from .conftest import Applicant
from .kit import application_body

GROUP = "applications"


def decided(application_id: str, run_id: str = "run-1", awarded: bool = True, at: int = 1) -> Envelope[Any]:
    payload = AllocationDecided(
        run_id=run_id,
        round_id="round-1",
        application_id=application_id,
        neighbourhood_code="SYN0001",
        outcome="awarded" if awarded else "not_awarded",
        awarded=awarded,
        awarded_pence=150_000_000 if awarded else 0,
        rank=3,
        ranked_of=12,
        need_score=61.3,
        binding_constraint=None,
        rationale="ranked 3 of 12 by need score 61.3; awarded £1,500,000",
        inputs_hash="h" * 64,
        decided_at=datetime(2025, 4, at, tzinfo=UTC),
    )
    return wrap(payload, subject=application_id)


def deliver(sessions: sessionmaker[Session], envelope: Envelope[Any]) -> bool:
    """Apply the event through the worker's own path (inbox, unit of work, handler); False for a duplicate."""
    return apply_event(sessions, GROUP, on_allocation_decided, envelope)


def decisions(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Decision)) or 0)


@pytest.fixture
def submitted(client: TestClient, applicant: Applicant) -> str:
    app = client.post(
        "/applications", json=application_body(applicant.partnership["id"]), headers=applicant.headers
    ).json()
    assert client.post(f"/applications/{app['id']}/submit", headers=applicant.headers).json()["status"] == "eligible"
    return str(app["id"])


def test_a_decision_is_shown_on_the_application(
    client: TestClient, applicant: Applicant, submitted: str, sessions: Any
) -> None:
    assert deliver(sessions, decided(submitted))
    shown = client.get(f"/applications/{submitted}", headers=applicant.headers).json()["decision"]
    assert shown["outcome"] == "awarded" and shown["awarded"] is True and shown["awarded_pence"] == 150_000_000
    assert (shown["rank"], shown["run_id"]) == (3, "run-1") and shown["rationale"].startswith("ranked 3 of 12")


def test_a_duplicate_delivery_has_one_effect(submitted: str, sessions: Any) -> None:
    envelope = decided(submitted)
    assert deliver(sessions, envelope) and not deliver(sessions, envelope)
    assert decisions(sessions) == 1


def test_the_same_decision_under_a_new_event_id_is_not_stored_twice(submitted: str, sessions: Any) -> None:
    deliver(sessions, decided(submitted))
    deliver(sessions, decided(submitted))  # a republished run: new event id, same run and application
    assert decisions(sessions) == 1


def test_a_decision_about_an_unknown_application_waits(sessions: Any) -> None:
    envelope = decided("not-yet-known")
    with pytest.raises(NotReady):
        deliver(sessions, envelope)
    assert decisions(sessions) == 0
    with UnitOfWork(sessions) as uow:  # the wait rolled back its inbox row, so a later delivery applies
        assert first_delivery(uow.session, group=GROUP, event_id=envelope.event_id, stream="s")


def test_the_newest_run_decides_what_is_shown_whatever_the_arrival_order(
    client: TestClient, applicant: Applicant, submitted: str, sessions: Any
) -> None:
    deliver(sessions, decided(submitted, run_id="run-2", awarded=False, at=9))
    deliver(sessions, decided(submitted, run_id="run-1", awarded=True, at=1))
    shown = client.get(f"/applications/{submitted}", headers=applicant.headers).json()["decision"]
    assert shown["run_id"] == "run-2" and shown["awarded"] is False


def test_an_awarded_application_cannot_be_withdrawn(
    client: TestClient, applicant: Applicant, submitted: str, sessions: Any
) -> None:
    deliver(sessions, decided(submitted))
    refused = client.post(f"/applications/{submitted}/withdraw", json={"reason": "x"}, headers=applicant.headers)
    assert refused.status_code == 409 and "awarded" in refused.json()["detail"]


def test_a_declined_application_frees_its_neighbourhood(
    client: TestClient, applicant: Applicant, submitted: str, sessions: Any
) -> None:
    deliver(sessions, decided(submitted, awarded=False))
    again = client.post(
        "/applications", json=application_body(applicant.partnership["id"]), headers=applicant.headers
    ).json()
    assert client.post(f"/applications/{again['id']}/submit", headers=applicant.headers).json()["status"] == "eligible"
