"""Alerts an operator acts on: each reads only metrics the code exports and has a runbook section to act from."""

import re
from pathlib import Path

from tests.support.metric_names import EXPECTED_ELSEWHERE
from tests.test_compose import PROMETHEUS_OWN, alert_rules, exported_metric_names, metric_names

ROOT = Path(__file__).resolve().parents[1]
RUNBOOK = ROOT / "docs" / "runbook.md"
ACTIONABLE = {  # the issue's list: what each is about -> the alert that says it
    "a returned payment waiting to be repaid": "ReturnedPaymentAwaitingRepayment",
    "a tranche held past its due date": "TrancheHeldPastDue",
    "a report overdue": "ReportOverdue",
    "a reconciliation difference": "ReconciliationDifferencesOpen",
    "a dead letter": "DeadLetters",
    "a consumer group behind": "ConsumerBehind",
}


def anchors(markdown: str) -> set[str]:
    """The anchors of a Markdown page's headings, as GitHub makes them."""
    headings = re.findall(r"^#+\s+(.+?)\s*$", markdown, flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h).strip().lower().replace(" ", "-") for h in headings}


def test_every_situation_of_the_issue_has_an_alert() -> None:
    names = {rule["alert"] for rule in alert_rules()}
    missing = {what: alert for what, alert in ACTIONABLE.items() if alert not in names}
    assert not missing, missing


def test_every_alert_has_a_runbook_section() -> None:
    sections = anchors(RUNBOOK.read_text())
    for rule in alert_rules():
        url = rule["annotations"].get("runbook_url", "")
        page, _, anchor = url.partition("#")
        assert page == "docs/runbook.md" and anchor in sections, f"{rule['alert']}: runbook_url {url!r}"
        assert rule["annotations"].get("description"), f"{rule['alert']}: no description"


def test_every_alert_reads_only_exported_metrics() -> None:
    exported = exported_metric_names() | PROMETHEUS_OWN
    for rule in alert_rules():
        names = metric_names(rule["expr"])
        assert names, rule["alert"]
        unknown = names - exported - set(EXPECTED_ELSEWHERE)
        assert not unknown, f"{rule['alert']} reads {unknown}, which no code exports"


def test_the_payments_figures_the_new_alerts_read_are_exported_by_payments() -> None:
    exported = exported_metric_names()
    for name in ("grants_tranches_returned_oldest_age_seconds", "grants_tranches_held_past_due"):
        assert name in exported, name
