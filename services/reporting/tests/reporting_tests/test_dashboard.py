"""The operator dashboard: figures, charts and pipeline health; operator-only in production."""

from collections.abc import Iterator

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from grants_shared import deadletter
from grants_shared.auth import Role
from grants_shared.events import GrantAwarded
from grants_shared.http.headers import CSP, inline_hashes
from reporting import bootstrap
from reporting.adapters.orm import Round
from reporting.api import create_app
from tests.support.oidc import OidcProvider

from .conftest import APPLICANT, problem
from .test_read_models import two_grants


@pytest.fixture
def pipeline(redis_url: str) -> Iterator[redis.Redis]:
    """The test Redis with one dead letter and a group that has not read one entry."""
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    client.xadd(deadletter.stream_of("payments"), {"error": "boom", "body": "{}"})
    client.xadd(GrantAwarded.stream(), {"__data__": "{}"})
    client.xgroup_create(GrantAwarded.stream(), "payments", id="0")
    yield client
    client.flushdb()


def test_the_dashboard_shows_the_fund_and_the_pipeline(
    client: TestClient, sessions: sessionmaker[Session], pipeline: redis.Redis
) -> None:
    two_grants(sessions)
    response = client.get("/dashboard", params={"as_of": "2026-08-01"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    for figure in ("£10,000,000", "£3,500,000", "£875,000", "£500,000", "£6,500,000", "£3,125,000"):
        assert figure in page, figure  # budget, committed, paid, returned, remaining, unpaid
    assert "42.85%" in page and "4285 basis points" in page
    assert "grant-2" in page and "overdue" in page  # the returned tranche is overdue
    assert page.count("<svg") >= 4 and "<script" not in page
    assert "1 dead letters waiting" in page
    assert f"<td>payments</td><td>{GrantAwarded.stream()}</td><td>0</td><td>0</td><td>1</td>" in page


def test_the_dashboard_says_when_redis_is_down(client: TestClient) -> None:
    client.app.state.settings = client.app.state.settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})
    response = client.get("/dashboard")
    assert response.status_code == 200 and "Redis did not answer" in response.text


def test_in_production_only_an_operator_sees_the_dashboard(
    db: str, redis_url: str, monkeypatch: pytest.MonkeyPatch, provider: OidcProvider
) -> None:
    monkeypatch.setenv("REPORTING_DATABASE_URL", db)
    monkeypatch.setenv("REDIS_URL", redis_url)
    bootstrap.reset()
    try:
        with TestClient(create_app()) as prod:
            problem(prod.get("/dashboard"), 401)
            problem(prod.get("/dashboard", headers=APPLICANT), 401)  # a development token
            problem(prod.get("/dashboard", headers=provider.bearer("asha", "assessor")), 403)
            assert prod.get("/dashboard", headers=provider.bearer("otto", "operator")).status_code == 200
    finally:
        bootstrap.reset()


def test_in_production_the_fund_figures_on_metrics_need_the_scrape_token(
    db: str, redis_url: str, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch, provider: OidcProvider
) -> None:
    two_grants(sessions)
    monkeypatch.setenv("REPORTING_DATABASE_URL", db)
    monkeypatch.setenv("REDIS_URL", redis_url)
    token = "a-scrape-token-for-this-test-0123456789"
    for configured in (None, token):
        if configured:
            monkeypatch.setenv("GRANTS_METRICS_TOKEN", configured)
        bootstrap.reset()
        try:
            with TestClient(create_app()) as prod:
                for headers in ({}, provider.bearer("op", Role.OPERATOR), {"Authorization": f"Bearer {token}x"}):
                    refused = prod.get("/metrics/", headers=headers)
                    assert refused.status_code == 401 and "grants_fund" not in refused.text, headers
                scraped = prod.get("/metrics/", headers={"Authorization": f"Bearer {token}"})
        finally:
            bootstrap.reset()
        assert (scraped.status_code == 200) is bool(configured)
    assert "grants_fund_committed_pence 3.5e+08" in scraped.text


def test_the_dashboard_page_may_load_nothing_but_its_own_style(client: TestClient) -> None:
    page = client.get("/dashboard")
    assert page.status_code == 200
    [style] = inline_hashes(page.text, "style")
    assert page.headers[CSP].startswith(f"default-src 'none'; style-src {style};")
    assert "<script" not in page.text and "frame-ancestors 'none'" in page.headers[CSP]


def test_the_fund_figures_are_prometheus_gauges(client: TestClient, sessions: sessionmaker[Session]) -> None:
    two_grants(sessions)
    metrics = client.get("/metrics/").text
    assert "grants_fund_committed_pence 3.5e+08" in metrics and "grants_fund_decile_1_share_bp 4285.0" in metrics


def test_the_dashboard_and_the_gauges_read_beside_a_writer(client: TestClient, sessions: sessionmaker[Session]) -> None:
    """A write in progress (on SQLite, holding the write lock) neither holds the page up nor shows before it commits."""
    two_grants(sessions)
    with sessions() as writer:
        writer.execute(update(Round).values(budget_pence=2_000_000_000))  # not committed while the page is read
        page = client.get("/dashboard", params={"as_of": "2026-08-01"})
        metrics = client.get("/metrics/").text
        writer.rollback()
    assert page.status_code == 200 and "£10,000,000" in page.text and "£20,000,000" not in page.text
    assert "grants_fund_budget_pence 1e+09" in metrics
