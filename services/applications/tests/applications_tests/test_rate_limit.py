"""Rate limiting per client: a token bucket per token subject (else address), 429 problem+json with Retry-After."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from applications.api import create_app
from grants_shared.auth import Role, mint_token
from grants_shared.http.ratelimit import TokenBuckets
from grants_shared.settings import PlatformSettings

from .kit import ASSESSOR, OPERATOR, auth, counts, organisation_body

BURST, PER_MINUTE = 3, 6  # one token back every 10 s: nothing refills during a test


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_allows_its_burst_then_refills_at_the_rate() -> None:
    clock = Clock()
    buckets = TokenBuckets(per_minute=60, burst=3, clock=clock)
    assert [buckets.take("a").allowed for _ in range(4)] == [True, True, True, False]
    assert buckets.take("a").retry_after_s == pytest.approx(1.0)
    assert buckets.take("b").allowed, "another client has its own bucket"
    clock.now += 0.5
    refused = buckets.take("a")
    assert not refused.allowed and refused.retry_after_s == pytest.approx(0.5)
    clock.now += 0.5
    assert buckets.take("a").allowed and not buckets.take("a").allowed
    clock.now += 3600
    assert [buckets.take("a").allowed for _ in range(4)] == [True, True, True, False], "refills to the burst only"


def test_the_least_recently_seen_bucket_is_forgotten_first() -> None:
    buckets = TokenBuckets(per_minute=1, burst=1, max_clients=2, clock=Clock())
    assert buckets.take("a").allowed and buckets.take("b").allowed
    assert not buckets.take("b").allowed
    assert buckets.take("c").allowed  # "a" is forgotten: the oldest
    assert buckets.take("a").allowed and not buckets.take("c").allowed


@pytest.fixture
def limited(registry: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The API with a burst of 3 and 6 a minute per client."""
    monkeypatch.setenv("GRANTS_RATE_LIMIT_BURST", str(BURST))
    monkeypatch.setenv("GRANTS_RATE_LIMIT_PER_MINUTE", str(PER_MINUTE))
    with TestClient(create_app(), raise_server_exceptions=False) as client:
        yield client


def test_a_subject_over_its_limit_gets_429_problem_with_retry_after(limited: TestClient) -> None:
    statuses = [limited.get("/neighbourhoods?limit=1", headers=OPERATOR).status_code for _ in range(BURST + 1)]
    assert statuses == [200] * BURST + [429]
    refused = limited.get("/registry/vintages", headers=OPERATOR)
    body = refused.json()
    assert refused.status_code == 429 and refused.headers["content-type"].startswith("application/problem+json")
    assert body["code"] == "rate-limited" and body["status"] == 429
    assert refused.headers["retry-after"] == str(body["retry_after_s"]) and 1 <= body["retry_after_s"] <= 10
    same_subject = auth(Role.OPERATOR, subject="operator-1")  # a new token of the same subject: the same bucket
    assert same_subject != OPERATOR and limited.get("/neighbourhoods", headers=same_subject).status_code == 429
    assert limited.get("/neighbourhoods", headers=ASSESSOR).status_code == 200, "another subject is not limited"
    assert all(limited.get("/healthz").status_code == 200 for _ in range(2 * BURST)), "probes are exempt"


def test_without_a_valid_token_the_client_address_is_limited(limited: TestClient) -> None:
    other_secret = PlatformSettings(jwt_secret="not-the-platform-secret-0123456789abcdef")
    forged = mint_token(other_secret, subject="operator-1", roles=[Role.OPERATOR])
    headers = {"Authorization": f"Bearer {forged}"}
    statuses = [limited.get("/neighbourhoods", headers=headers).status_code for _ in range(BURST)]
    assert statuses == [401] * BURST and limited.get("/neighbourhoods").status_code == 429
    assert limited.get("/neighbourhoods", headers=OPERATOR).status_code == 200, "a forged subject took no token"
    elsewhere = TestClient(limited.app, client=("192.0.2.7", 50000), raise_server_exceptions=False)
    assert elsewhere.get("/neighbourhoods").status_code == 401, "another address has its own bucket"


def test_a_limited_write_writes_nothing(limited: TestClient, sessions: Any) -> None:
    for n in range(BURST):
        assert limited.post("/organisations", json=organisation_body(n + 1), headers=OPERATOR).status_code == 201
    before = counts(sessions)
    refused = limited.post("/organisations", json=organisation_body(9), headers=OPERATOR)
    assert refused.status_code == 429 and counts(sessions) == before


def test_the_openapi_document_declares_429_on_every_service_route(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    operations = [(p, op) for p, ops in paths.items() if p not in ("/healthz", "/readyz") for op in ops.values()]
    assert operations and all("429" in op["responses"] for _, op in operations)


def test_it_can_be_switched_off(registry: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRANTS_RATE_LIMIT_BURST", "1")
    monkeypatch.setenv("GRANTS_RATE_LIMIT_ENABLED", "false")
    with TestClient(create_app()) as client:
        assert {client.get("/neighbourhoods", headers=OPERATOR).status_code for _ in range(5)} == {200}
        assert "429" not in client.get("/openapi.json").json()["paths"]["/neighbourhoods"]["get"]["responses"]
