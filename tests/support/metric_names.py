"""Metric names that dashboards and alerts may read before the code that exports them is merged, and by whom."""

EXPECTED_ELSEWHERE = {
    "grants_reports_overdue": "reporting.read.metrics (overdue progress reports)",
    "grants_webhook_deliveries_total": "reporting.webhooks (webhook deliveries by outcome)",
    "grants_webhook_delivery_seconds_bucket": "reporting.webhooks (delivery latency)",
    "grants_webhook_delivery_seconds_count": "reporting.webhooks (delivery latency)",
    "grants_webhook_delivery_seconds_sum": "reporting.webhooks (delivery latency)",
    "grants_webhook_endpoints_disabled": "reporting.webhooks (endpoints disabled after failing)",
}
"""A name listed here counts as exported; once its exporter is merged the code exports it anyway."""
