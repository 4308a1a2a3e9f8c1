"""Differences between the bank and the ledger: recorded once, shown on the dashboard and in metrics until resolved."""

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.delivery import NotReady
from reporting.adapters.orm import ReconciliationDifference, TimelineEntry

from .conftest import FINANCE
from .story import Story, applied, count, deliver

Sessions = sessionmaker[Session]


def test_an_open_difference_is_on_the_dashboard_until_it_is_resolved(sessions: Sessions, client: TestClient) -> None:
    story = Story()
    for envelope in [story.round_opened(), *story.up_to_award(), *story.paid_tranche(1, date(2026, 2, 1))]:
        deliver(sessions, envelope)
    deliver(sessions, story.difference_found("d-1", 1, bank=37_400_000, ledger=37_500_000))
    deliver(sessions, story.difference_found("d-1", 1, bank=37_400_000, ledger=37_500_000))  # republished: one row
    assert count(sessions, ReconciliationDifference) == 1
    page = client.get("/dashboard").text
    assert "1 open differences between the bank and the ledger" in page
    assert 'class="warn" id="reconciliation-open"' in page
    assert "£374,000" in page and "£375,000" in page and "amount mismatch" in page and story.grant_id in page
    position = client.get("/fund/position", headers=FINANCE).json()
    assert (position["reconciliation_differences_open"], position["reconciliation_differences_open_bank_pence"]) == (
        1,
        37_400_000,
    )
    assert "grants_fund_reconciliation_differences_open 1.0" in client.get("/metrics/").text

    deliver(sessions, story.difference_resolved("d-1", by="amara", note="bank recalled the 1,000p short payment"))
    page = client.get("/dashboard").text
    assert "amara" in page and "bank recalled the 1,000p short payment" in page
    assert "No open differences" in page and "1 open differences" not in page
    assert page.index("Recently resolved") < page.index(story.instruction_id(1))  # listed under resolved now
    assert client.get("/fund/position", headers=FINANCE).json()["reconciliation_differences_open"] == 0
    assert "grants_fund_reconciliation_differences_open 0.0" in client.get("/metrics/").text


def test_a_resolution_before_its_difference_waits(sessions: Sessions) -> None:
    story = Story()
    found, resolved = story.difference_found("d-2", 1, bank=None, ledger=5), story.difference_resolved("d-2")
    with pytest.raises(NotReady):
        deliver(sessions, resolved)
    assert count(sessions, TimelineEntry) == 0
    deliver(sessions, found)
    assert applied(sessions, resolved)  # woken by its difference
    with sessions() as s:
        row = s.get(ReconciliationDifference, "d-2")
        assert row.resolved_at is not None and (row.resolved_by, row.resolution_note) == ("reconciliation", None)
