"""Webhook delivery health on /metrics: attempts by outcome, their latency, deliveries owed, endpoints disabled."""

from datetime import timedelta

from prometheus_client.core import Metric
from sqlalchemy.orm import Session, sessionmaker

from reporting.webhooks import store
from reporting.webhooks.metrics import WebhookCollector

from .life import subscribe
from .test_retries import DAY, T0, owe


def samples(collector: WebhookCollector) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    families: list[Metric] = list(collector.collect())
    return {(s.name, tuple(sorted(s.labels.items()))): s.value for f in families for s in f.samples}


def test_the_scrape_reports_what_the_sender_recorded(sessions: sessionmaker[Session]) -> None:
    subscription_id = subscribe(sessions, "org-crm")
    owe(sessions, subscription_id, 3)
    due = store.claim_due(sessions, T0 + timedelta(days=2), 10, timedelta(minutes=1))
    answers = [
        store.Result(due[0], 200, 120),
        store.Result(due[1], 503, 3_000),
        store.Result(due[2], None, 40, "refused"),
    ]
    store.record(sessions, answers, T0, DAY)
    collector = WebhookCollector()
    collector.engine = sessions.kw["bind"]

    got = samples(collector)

    assert got[("grants_webhook_deliveries_total", (("outcome", "delivered"),))] == 1
    assert got[("grants_webhook_deliveries_total", (("outcome", "failed"),))] == 2
    assert got[("grants_webhook_delivery_seconds_count", ())] == 3
    assert got[("grants_webhook_delivery_seconds_sum", ())] == 3.16
    assert got[("grants_webhook_delivery_seconds_bucket", (("le", "0.05"),))] == 1
    assert got[("grants_webhook_delivery_seconds_bucket", (("le", "0.25"),))] == 2
    assert got[("grants_webhook_delivery_seconds_bucket", (("le", "+Inf"),))] == 3
    assert got[("grants_webhook_deliveries_pending", ())] == 2
    assert got[("grants_webhook_endpoints_disabled", ())] == 0


def test_an_unreadable_database_gives_names_without_samples() -> None:
    collector = WebhookCollector()
    assert samples(collector) == {}
    assert {f.name for f in collector.describe()} >= {"grants_webhook_deliveries", "grants_webhook_endpoints_disabled"}
