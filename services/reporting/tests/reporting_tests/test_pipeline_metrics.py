"""Reporting's /metrics: the pipeline's health (pending, lag, dead letters) beside the fund's own figures."""

from collections.abc import Iterator

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from grants_shared import deadletter
from grants_shared.events import GrantAwarded, PaymentSettled
from reporting.read.metrics import expose_pipeline_metrics
from tests.support.metrics import Samples, scrape

from .test_read_models import two_grants


def named(samples: Samples, name: str) -> dict[frozenset[tuple[str, str]], float]:
    return {labels: value for (sample, labels), value in samples.items() if sample == name}


def group(name: str, stream: str) -> frozenset[tuple[str, str]]:
    return frozenset({"group": name, "stream": stream}.items())


@pytest.fixture
def pipeline(redis_url: str) -> Iterator[redis.Redis]:
    """The test Redis: payments has read 1 of 3 awards and holds 2 dead letters; reporting read nothing yet."""
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    for _ in range(2):
        client.xadd(deadletter.stream_of("payments"), {"error": "boom", "body": "{}"})
    client.xadd(deadletter.stream_of("reporting"), {"error": "boom", "body": "{}"})
    for _ in range(3):
        client.xadd(GrantAwarded.stream(), {"__data__": "{}"})
    client.xgroup_create(GrantAwarded.stream(), "payments", id="0")
    client.xgroup_create(GrantAwarded.stream(), "reporting", id="0")
    client.xreadgroup("payments", "worker-1", {GrantAwarded.stream(): ">"}, count=1)  # delivered, not acknowledged
    client.xadd(PaymentSettled.stream(), {"__data__": "{}"})
    client.xgroup_create(PaymentSettled.stream(), "reporting", id="$")  # created after it: nothing to read
    yield client
    client.flushdb()


def test_pending_lag_and_dead_letters_are_gauges(client: TestClient, pipeline: redis.Redis) -> None:
    samples = scrape(client)
    awarded, settled = GrantAwarded.stream(), PaymentSettled.stream()
    assert named(samples, "grants_consumer_pending") == {
        group("payments", awarded): 1,
        group("reporting", awarded): 0,
        group("reporting", settled): 0,
    }
    assert named(samples, "grants_consumer_lag") == {
        group("payments", awarded): 2,
        group("reporting", awarded): 3,
        group("reporting", settled): 0,
    }
    assert named(samples, "grants_dead_letters") == {
        frozenset({"group": "payments"}.items()): 2,
        frozenset({"group": "reporting"}.items()): 1,
    }

    pipeline.xack(awarded, "payments", *[entry_id for entry_id, _ in pipeline.xrange(awarded, count=1)])
    pipeline.delete(deadletter.stream_of("reporting"))
    samples = scrape(client)
    assert named(samples, "grants_consumer_pending")[group("payments", awarded)] == 0
    assert named(samples, "grants_dead_letters") == {frozenset({"group": "payments"}.items()): 2}


def test_with_redis_down_the_pipeline_has_no_samples_and_the_scrape_still_answers(
    client: TestClient, redis_url: str
) -> None:
    expose_pipeline_metrics("redis://127.0.0.1:1/0")
    try:
        samples = scrape(client)
    finally:
        expose_pipeline_metrics(redis_url)
    for name in ("grants_consumer_pending", "grants_consumer_lag", "grants_dead_letters"):
        assert named(samples, name) == {}, name
    assert ("grants_fund_committed_pence", frozenset()) in samples  # the fund figures are still there


def test_the_budget_not_yet_committed_is_a_gauge_too(client: TestClient, sessions: sessionmaker[Session]) -> None:
    two_grants(sessions)
    samples = scrape(client)
    assert samples[("grants_fund_remaining_pence", frozenset())] == 650_000_000  # the dashboard's £6,500,000
