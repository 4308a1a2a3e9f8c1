"""The Grafana dashboards an operator opens: one grant (timeline and trace link), webhook health, consumer lag.

Every query reads exported metrics: tests/test_compose.py checks all dashboards' panels; here the template variables
too, and what each dashboard must show.
"""

import re

from tests.support.metric_names import EXPECTED_ELSEWHERE
from tests.test_compose import PROMETHEUS_OWN, dashboards, exported_metric_names, metric_names, panels

WEBHOOK_METRICS = {
    "grants_webhook_deliveries_total",
    "grants_webhook_delivery_seconds_bucket",
    "grants_webhook_endpoints_disabled",
}


def boards() -> dict[str, dict]:  # type: ignore[type-arg]
    return {board["uid"]: board for board in dashboards()}


def reads(board: dict) -> set[str]:  # type: ignore[type-arg]
    return {name for panel in panels(board) for t in panel["targets"] for name in metric_names(t["expr"])}


def test_template_variables_read_exported_metrics() -> None:
    known = exported_metric_names() | PROMETHEUS_OWN | set(EXPECTED_ELSEWHERE)
    for board in dashboards():
        for variable in board["templating"]["list"]:
            query = variable["query"]["query"] if isinstance(variable["query"], dict) else variable["query"]
            used = set(re.findall(r"label_values\((\w+)", query))
            assert used and used <= known, (board["title"], variable["name"], used)


def test_the_grant_dashboard_has_a_timeline_and_a_link_to_the_grants_trace() -> None:
    grant = boards()["cwf-grant"]
    assert [v["name"] for v in grant["templating"]["list"]] == ["grant_id"]
    kinds = {panel["type"] for panel in panels(grant)}
    assert "state-timeline" in kinds
    every_query = [t["expr"] for panel in panels(grant) for t in panel["targets"]]
    assert all('grant_id="$grant_id"' in expr for expr in every_query), every_query
    links = [link["url"] for panel in panels(grant) for link in panel["fieldConfig"]["defaults"].get("links", [])]
    assert any("jaeger" in url and "${__data.fields.trace_id}" in url for url in links), links
    assert "grants_grant_info" in reads(grant)


def test_webhook_health_reads_the_agreed_metric_names() -> None:
    assert reads(boards()["cwf-webhooks"]) >= WEBHOOK_METRICS


def test_consumer_lag_is_shown_per_group() -> None:
    board = boards()["cwf-consumers"]
    assert "grants_group_lag" in reads(board)
    assert any("by (group)" in t["expr"] for panel in panels(board) for t in panel["targets"])
