"""Subscriptions over HTTP: owner-only, secrets shown once, rotation, re-enabling, replay input, bad input as 4xx."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.auth import Role
from reporting.adapters.orm_webhooks import WebhookSubscription

from ..conftest import OPERATOR, auth, problem
from .test_ssrf import NAMES

CRM = auth(Role.INTEGRATOR, subject="crm-bot", organisation_id="org-crm")
CRM_COLLEAGUE = auth(Role.INTEGRATOR, subject="crm-other", organisation_id="org-crm")
PARTNER = auth(Role.INTEGRATOR, subject="partner-bot", organisation_id="org-partner")
NEW = {"url": "https://public.example.org/hooks", "event_types": ["grant-awarded", "payment-settled"]}


@pytest.fixture
def api(client: TestClient) -> TestClient:
    client.app.state.webhook_resolver = NAMES  # type: ignore[attr-defined]
    return client


def subscribe(api: TestClient, headers: dict[str, str] = CRM, **body: Any) -> dict[str, Any]:
    response = api.post("/webhooks/subscriptions", json={**NEW, **body}, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def test_a_subscription_shows_its_secret_once_and_only_to_its_organisation(api: TestClient) -> None:
    created = subscribe(api, round_ids=["round-1"], neighbourhood_codes=["E05000026"])
    assert created["secret"].startswith("whsec_") and created["event_types"] == ["grant-awarded", "payment-settled"]
    path = f"/webhooks/subscriptions/{created['id']}"
    again = api.get(path, headers=CRM_COLLEAGUE).json()
    assert again["secret"] is None and again["round_ids"] == ["round-1"]
    assert [s["id"] for s in api.get("/webhooks/subscriptions", headers=CRM).json()["items"]] == [created["id"]]
    assert api.get("/webhooks/subscriptions", headers=PARTNER).json()["items"] == []
    for method, suffix, body in [
        ("GET", "", None),
        ("PATCH", "", {"description": "mine now"}),
        ("DELETE", "", None),
        ("POST", "/rotate-secret", {}),
        ("POST", "/replay", {"delivery_id": "msg_x"}),
        ("GET", "/deliveries", None),
    ]:
        problem(api.request(method, path + suffix, json=body, headers=PARTNER), 404, "subscription-not-found")
    assert api.get(path, headers=CRM).json()["description"] == ""


def test_only_integrators_manage_subscriptions(api: TestClient) -> None:
    problem(api.post("/webhooks/subscriptions", json=NEW, headers=OPERATOR), 403)
    problem(api.post("/webhooks/subscriptions", json=NEW), 401)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"url": "https://10.0.0.1/h"}, "unsafe-endpoint"),
        ({"url": "https://169.254.169.254/latest"}, "unsafe-endpoint"),
        ({"url": "https://127.0.0.1/h"}, "unsafe-endpoint"),
        ({"url": "https://rebinds.example.org/h"}, "unsafe-endpoint"),
        ({"url": "http://public.example.org/h"}, "unsafe-endpoint"),
        ({"event_types": ["grant-awarded", "no-such-event"]}, "validation-error"),
        ({"round_ids": [""]}, "validation-error"),
        ({"colour": "blue"}, "validation-error"),
    ],
)
def test_unsafe_endpoints_and_bad_filters_are_refused_and_nothing_is_kept(
    api: TestClient, sessions: sessionmaker[Session], body: dict[str, Any], code: str
) -> None:
    problem(api.post("/webhooks/subscriptions", json={**NEW, **body}, headers=CRM), 422, code)
    with sessions() as session:
        assert session.query(WebhookSubscription).count() == 0


def test_a_rotation_keeps_the_old_secret_signing_for_the_overlap(
    api: TestClient, sessions: sessionmaker[Session]
) -> None:
    created = subscribe(api)
    rotated = api.post(f"/webhooks/subscriptions/{created['id']}/rotate-secret", json={"overlap_s": 3600}, headers=CRM)
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()
    assert new["secret"].startswith("whsec_") and new["secret"] != created["secret"]
    assert new["previous_secret_until"] is not None
    with sessions() as session:
        row = session.get(WebhookSubscription, created["id"])
        assert row is not None and row.previous_secret == created["secret"] and row.secret == new["secret"]
    problem(
        api.post(f"/webhooks/subscriptions/{created['id']}/rotate-secret", json={"overlap_s": -1}, headers=CRM),
        422,
    )


def test_an_owner_re_enables_a_disabled_endpoint_and_may_change_its_filters(
    api: TestClient, sessions: sessionmaker[Session]
) -> None:
    created = subscribe(api)
    with sessions() as session:
        row = session.get(WebhookSubscription, created["id"])
        assert row is not None
        row.enabled, row.disabled_reason = False, "every attempt failed for 1 day"
        session.commit()
    path = f"/webhooks/subscriptions/{created['id']}"
    assert api.get(path, headers=CRM).json()["enabled"] is False
    changed = api.patch(path, json={"enabled": True, "event_types": ["grant-closed"]}, headers=CRM)
    assert changed.status_code == 200, changed.text
    assert changed.json()["enabled"] is True and changed.json()["disabled_reason"] is None
    assert changed.json()["event_types"] == ["grant-closed"]
    problem(api.patch(path, json={"url": "https://10.0.0.1/"}, headers=CRM), 422, "unsafe-endpoint")
    problem(api.patch(path, json={"event_types": ["nope"]}, headers=CRM), 422)


def test_replay_takes_a_delivery_or_a_range_and_deleting_removes_the_subscription(api: TestClient) -> None:
    created = subscribe(api)
    path = f"/webhooks/subscriptions/{created['id']}"
    for body in (
        {},
        {"since": "2026-01-01T00:00:00Z"},
        {"since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"},
    ):
        problem(api.post(path + "/replay", json=body, headers=CRM), 422)
    problem(api.post(path + "/replay", json={"delivery_id": "msg_unknown"}, headers=CRM), 404, "delivery-not-found")
    empty = api.post(
        path + "/replay", json={"since": "2026-01-01T00:00:00Z", "until": "2026-02-01T00:00:00Z"}, headers=CRM
    )
    assert empty.status_code == 202 and empty.json()["deliveries"] == 0
    assert api.delete(path, headers=CRM).status_code == 204
    problem(api.get(path, headers=CRM), 404, "subscription-not-found")
