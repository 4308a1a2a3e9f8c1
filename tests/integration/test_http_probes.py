"""/metrics, /readyz and the docs: closed where they must be, cheap under a storm, and rate limited."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import event

from grants_shared.db import make_engine
from grants_shared.http.app import create_service_app
from grants_shared.http.edge import EdgeSettings
from grants_shared.http.headers import CSP, inline_hashes
from grants_shared.http.ratelimit import RateLimitSettings
from grants_shared.settings import PlatformSettings
from tests.support.infra import production_settings

TOKEN = "scrape-token-of-at-least-thirty-two-characters"
PRODUCTION = production_settings()


def app_with(
    settings: PlatformSettings | None = None, rate_limit: RateLimitSettings | None = None, **edge: Any
) -> FastAPI:
    """A service app with no routes of its own, on an in-memory database."""
    return create_service_app(
        service="probe-test",
        settings=settings or PlatformSettings(),
        engine=make_engine("sqlite://"),
        routers=[],
        description="",
        rate_limit=rate_limit or RateLimitSettings(enabled=False),
        edge=EdgeSettings(**edge),
    )


def test_metrics_need_the_scrape_token_when_one_is_set() -> None:
    client = TestClient(app_with(metrics_token=SecretStr(TOKEN)))
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        refused = client.get("/metrics/", headers=headers)
        assert refused.status_code == 401 and refused.json()["code"] == "unauthenticated", headers
        assert refused.headers["www-authenticate"] == 'Bearer realm="metrics"'
        assert "grants_" not in refused.text
    scraped = client.get("/metrics/", headers={"Authorization": f"Bearer {TOKEN}"})
    assert scraped.status_code == 200 and "grants_outbox_unsent" in scraped.text


def test_in_production_metrics_are_closed_without_a_token_and_open_to_it() -> None:
    closed = TestClient(app_with(PRODUCTION))
    refused = closed.get("/metrics/")
    assert refused.status_code == 401 and "GRANTS_METRICS_TOKEN is not set" in refused.json()["detail"]
    assert closed.get("/metrics/", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 401
    guarded = TestClient(app_with(PRODUCTION, metrics_token=SecretStr(TOKEN)))
    assert guarded.get("/metrics/", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert TestClient(app_with()).get("/metrics/").status_code == 200  # development: open, like a local tool


def test_a_short_scrape_token_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="metrics_token"):
        EdgeSettings(metrics_token=SecretStr("short"))


def database_queries(app: FastAPI) -> list[str]:
    """The statements the readiness check sends to the database, as they go."""
    sent: list[str] = []
    event.listen(app.state.readiness.engine, "before_cursor_execute", lambda *args: sent.append(args[2]))
    return sent


@pytest.fixture
def redis_for_probes(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The platform's Redis named by REDIS_URL, so /readyz's PING gets an answer."""
    monkeypatch.setenv("REDIS_URL", redis_url)
    yield redis_url


def test_a_probe_storm_on_readyz_costs_one_check_per_cache_period(redis_for_probes: str) -> None:
    cached = app_with(PlatformSettings(), probe_cache_s=60)
    sent = database_queries(cached)
    client = TestClient(cached)
    answers = [client.get("/readyz") for _ in range(25)]
    assert {a.status_code for a in answers} == {200} and answers[-1].json()["checks"]["redis"] is True
    assert len(sent) == 1, sent
    uncached = app_with(PlatformSettings(), probe_cache_s=0)
    sent_each_time = database_queries(uncached)
    client = TestClient(uncached)
    for _ in range(5):
        assert client.get("/readyz").status_code == 200
    assert len(sent_each_time) == 5


def test_metrics_are_rendered_once_per_cache_period() -> None:
    for cache_s, same in ((60, True), (0, False)):
        client = TestClient(app_with(probe_cache_s=cache_s))
        first = client.get("/metrics/").text
        client.get("/no-such-route")  # counted: a fresh rendering shows it
        assert (client.get("/metrics/").text == first) is same, cache_s


def test_readyz_and_metrics_are_rate_limited_apart_from_the_api_and_healthz_is_not() -> None:
    limits = RateLimitSettings(per_minute=1, burst=100, probe_per_minute=1, probe_burst=3)
    client = TestClient(app_with(rate_limit=limits))
    probes = [client.get(path).status_code for path in ("/readyz", "/metrics/", "/readyz")]
    assert all(status != 429 for status in probes)
    limited = client.get("/metrics/")
    assert limited.status_code == 429 and limited.json()["code"] == "rate-limited"
    assert int(limited.headers["retry-after"]) >= 1
    assert client.get("/readyz").status_code == 429
    assert {client.get("/healthz").status_code for _ in range(10)} == {200}
    assert client.get("/no-such-route").status_code == 404  # the API's own allowance is untouched


def test_docs_are_off_in_production_unless_configured_and_on_elsewhere() -> None:
    production = TestClient(app_with(PRODUCTION))
    assert [production.get(p).status_code for p in ("/docs", "/redoc", "/openapi.json")] == [404, 404, 404]
    configured = TestClient(app_with(PRODUCTION, docs_enabled=True))
    assert configured.get("/openapi.json").status_code == 200
    development = TestClient(app_with())
    assert development.get("/openapi.json").json()["info"]["title"] == "probe-test API"
    off = TestClient(app_with(docs_enabled=False))
    assert off.get("/docs").status_code == 404


def test_the_docs_pages_name_what_they_load_in_their_policy() -> None:
    client = TestClient(app_with())
    swagger = client.get("/docs")
    assert swagger.status_code == 200 and "swagger-ui-bundle.js" in swagger.text
    policy = swagger.headers[CSP]
    [inline] = inline_hashes(swagger.text, "script")
    assert f"script-src https://cdn.jsdelivr.net {inline}" in policy and "'unsafe-inline'" not in policy.split(";")[1]
    assert "connect-src 'self'" in policy and "frame-ancestors 'none'" in policy
    redoc = client.get("/redoc")
    assert redoc.status_code == 200 and "redoc.standalone.js" in redoc.text
    assert "worker-src blob:" in redoc.headers[CSP] and "script-src https://cdn.jsdelivr.net;" in redoc.headers[CSP]
