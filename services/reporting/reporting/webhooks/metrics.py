"""Webhook delivery health on reporting's /metrics, read from the delivery tables at each scrape.

The sender runs in the worker, which serves no /metrics; its attempts are rows, so the API exports them:
attempts by outcome (a counter: rows are only ever added), their latency as a histogram, the deliveries still
owed, and the endpoints disabled after failing.
"""

import logging
from collections.abc import Iterator
from typing import Any

from prometheus_client import REGISTRY
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, case, func, select
from sqlalchemy.orm import Session

from grants_shared.db import read_only_session
from reporting.adapters.orm_webhooks import WebhookAttempt, WebhookDelivery, WebhookSubscription

log = logging.getLogger(__name__)

BUCKETS_S = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
OK = WebhookAttempt.status_code.between(200, 299)


def _attempts(session: Session) -> dict[str, int]:
    delivered, total = session.execute(select(func.coalesce(func.sum(case((OK, 1), else_=0)), 0), func.count())).one()
    return {"delivered": int(delivered), "failed": int(total) - int(delivered)}


def _latency(session: Session) -> tuple[list[int], int, float]:
    """Cumulative counts per bucket, the count and the sum of seconds."""
    under = [func.sum(case((WebhookAttempt.latency_ms <= int(b * 1000), 1), else_=0)) for b in BUCKETS_S]
    row = session.execute(select(*under, func.count(), func.coalesce(func.sum(WebhookAttempt.latency_ms), 0))).one()
    return [int(n or 0) for n in row[: len(BUCKETS_S)]], int(row[-2]), float(row[-1]) / 1000


def read_health(session: Session) -> dict[str, Any]:
    """Attempts by outcome, latency, deliveries pending, endpoints disabled."""
    pending = session.scalar(select(func.count()).where(WebhookDelivery.status == "pending")) or 0
    disabled = session.scalar(select(func.count()).where(WebhookSubscription.enabled.is_(False))) or 0
    return {"attempts": _attempts(session), "latency": _latency(session), "pending": pending, "disabled": disabled}


class WebhookCollector(Collector):
    """`grants_webhook_deliveries_total{outcome}`, `grants_webhook_delivery_seconds`, `..._pending`, `..._disabled`."""

    def __init__(self) -> None:
        self.engine: Engine | None = None

    def describe(self) -> Iterator[Metric]:
        """The metric names, without reading the database."""
        yield from _families(None)

    def collect(self) -> Iterator[Metric]:
        """The figures now (no samples when the database cannot be read)."""
        health = None
        if self.engine is not None:
            try:
                with read_only_session(self.engine) as session:
                    health = read_health(session)
            except Exception as error:
                log.warning("webhook metrics could not be read: %r", error)
        yield from _families(health)


def _families(health: dict[str, Any] | None) -> Iterator[Metric]:
    attempts = CounterMetricFamily(
        "grants_webhook_deliveries",
        "Webhook delivery attempts by outcome (delivered: a 2xx answer).",
        labels=["outcome"],
    )
    latency = HistogramMetricFamily("grants_webhook_delivery_seconds", "Time to the endpoint's answer per attempt.")
    pending = GaugeMetricFamily(
        "grants_webhook_deliveries_pending", "Webhook deliveries still owed (retries included)."
    )
    disabled = GaugeMetricFamily("grants_webhook_endpoints_disabled", "Subscriptions disabled after failing for a day.")
    if health is not None:
        for outcome in ("delivered", "failed"):
            attempts.add_metric([outcome], health["attempts"].get(outcome, 0))
        counts, total, seconds = health["latency"]
        buckets = [(str(b), n) for b, n in zip(BUCKETS_S, counts, strict=True)] + [("+Inf", total)]
        latency.add_metric([], buckets, seconds)
        pending.add_metric([], health["pending"])
        disabled.add_metric([], health["disabled"])
    yield from (attempts, latency, pending, disabled)


_webhooks = WebhookCollector()
REGISTRY.register(_webhooks)


def expose_webhook_metrics(engine: Engine) -> None:
    """Serve webhook delivery health on /metrics from the database of `engine`."""
    _webhooks.engine = engine
