"""The figures operators' alerts and the per-grant dashboard read from payments' /metrics."""

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.grant_trace import grant_trace_hex
from payments.adapters.orm import Tranche
from payments.adapters.provider import SandboxBankProvider
from payments_tests.bank import Bank
from payments_tests.kit import award_and_open, awarded, on_grant_awarded, tranches
from payments_tests.test_repay import paid_then_returned

Sessions = sessionmaker[Session]


def samples(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample on /metrics, by name and labels."""
    text = client.get("/metrics/").text
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_a_returned_payment_waits_to_be_repaid_on_metrics(
    client: TestClient, sessions: Sessions, provider: SandboxBankProvider, bank: Bank
) -> None:
    award_and_open(sessions, awarded(amount=800_000, months=12), on_grant_awarded)
    assert samples(client)[("grants_tranches_returned_awaiting_repayment", ())] == 0
    paid_then_returned(sessions, provider, bank)
    seen = samples(client)
    assert seen[("grants_tranches_returned_awaiting_repayment", ())] == 1
    assert seen[("grants_tranches_returned_oldest_age_seconds", ())] >= 0
    assert seen[("grants_grant_tranches", (("grant_id", "g-1"), ("status", "returned")))] == 1
    assert seen[("grants_grant_info", (("grant_id", "g-1"), ("trace_id", grant_trace_hex("g-1"))))] == 1


def test_a_tranche_held_past_its_due_date_is_counted_with_how_late(client: TestClient, sessions: Sessions) -> None:
    award_and_open(sessions, awarded(amount=800_000, months=12), on_grant_awarded)
    assert samples(client)[("grants_tranches_held_past_due", ())] == 0
    late = tranches(sessions)[1]
    with sessions.begin() as session:
        session.execute(
            update(Tranche)
            .where(Tranche.tranche_id == late.tranche_id)
            .values(status="held", due_on=datetime.now(UTC).date() - timedelta(days=3))
        )
    seen = samples(client)
    assert seen[("grants_tranches_held_past_due", ())] == 1
    assert seen[("grants_tranches_held_past_due_max_days", ())] == 3
