"""Idempotency-Key on creating POSTs: a retry replays the first answer; the key with another body is refused."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from grants_shared import tables

from .conftest import Applicant
from .kit import OPERATOR, application_body, counts, organisation_body


def test_a_retried_post_replays_the_first_response(client: TestClient, applicant: Applicant, sessions: Any) -> None:
    headers = {**applicant.headers, "Idempotency-Key": "draft-1"}
    body = application_body(applicant.partnership["id"])
    first = client.post("/applications", json=body, headers=headers)
    before = counts(sessions)
    again = client.post("/applications", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    assert counts(sessions) == before


def test_a_replay_answers_the_stored_bytes_exactly(client: TestClient, applicant: Applicant, sessions: Any) -> None:
    headers = {**applicant.headers, "Idempotency-Key": "draft-bytes"}
    body = application_body(applicant.partnership["id"])
    first = client.post("/applications", json=body, headers=headers)
    again = client.post("/applications", json=body, headers=headers)
    with sessions() as session:
        stored = session.execute(
            select(tables.idempotency_keys.c.response_body).where(tables.idempotency_keys.c.key == "draft-bytes")
        ).scalar_one()
    assert first.status_code == again.status_code == 201
    assert again.content == first.content == stored.encode()
    assert again.headers["content-type"] == first.headers["content-type"] == "application/json"
    assert first.json()["status"] == "draft" and "Idempotent-Replayed" not in first.headers


def test_the_same_key_with_another_body_is_refused(client: TestClient, sessions: Any) -> None:
    headers = {**OPERATOR, "Idempotency-Key": "org-1"}
    assert client.post("/organisations", json=organisation_body(1), headers=headers).status_code == 201
    before = counts(sessions)
    clash = client.post("/organisations", json=organisation_body(2), headers=headers)
    assert clash.status_code == 409 and clash.json()["code"] == "idempotency-key-reused"
    assert counts(sessions) == before


def test_a_retried_submit_is_not_submitted_twice(client: TestClient, applicant: Applicant, sessions: Any) -> None:
    app = client.post(
        "/applications", json=application_body(applicant.partnership["id"]), headers=applicant.headers
    ).json()
    headers = {**applicant.headers, "Idempotency-Key": "submit-1"}
    first = client.post(f"/applications/{app['id']}/submit", headers=headers)
    before = counts(sessions)
    again = client.post(f"/applications/{app['id']}/submit", headers=headers)
    assert again.status_code == 200 and again.json() == first.json() and counts(sessions) == before


def test_keys_are_scoped_to_the_caller_and_the_path(client: TestClient, applicant: Applicant) -> None:
    pid = applicant.partnership["id"]
    drafts = [
        client.post("/applications", json=application_body(pid), headers=applicant.headers).json()["id"]
        for _ in range(2)
    ]
    headers = {**applicant.headers, "Idempotency-Key": "same"}
    results = [client.post(f"/applications/{d}/submit", headers=headers).json() for d in drafts]
    assert [r["id"] for r in results] == drafts
    operator = client.post("/organisations", json=organisation_body(7), headers={**OPERATOR, "Idempotency-Key": "k"})
    applicant_try = client.post(
        "/applications", json=application_body(pid), headers={**applicant.headers, "Idempotency-Key": "k"}
    )
    assert operator.status_code == 201 and applicant_try.status_code == 201


def test_a_failed_request_does_not_consume_its_key(client: TestClient, applicant: Applicant) -> None:
    headers = {**applicant.headers, "Idempotency-Key": "retry-after-fix"}
    missing = client.post("/applications", json=application_body("no-such-partnership"), headers=headers)
    assert missing.status_code == 404
    fixed = client.post("/applications", json=application_body(applicant.partnership["id"]), headers=headers)
    assert fixed.status_code == 201
