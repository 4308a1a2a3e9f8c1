"""End to end: one grant from application to its second paid tranche, across four real services."""

from pathlib import Path
from typing import Any

import pytest

from grants_cli.walk import AWARD_PENCE, run_walk
from tests.e2e.checks import check_events, check_money

pytestmark = pytest.mark.e2e


def test_one_grant_walks_from_application_to_second_paid_tranche(start_system: Any) -> None:
    running = start_system()
    walk = run_walk(running.client, log=lambda _: None)
    assert walk.decision["awarded"] and walk.decision["awarded_pence"] == AWARD_PENCE
    tranches = walk.grant["tranches"]
    assert len(tranches) == 20 and sum(t["amount_pence"] for t in tranches) == AWARD_PENCE
    check_events(running, walk)
    check_money(running, walk)
    kinds = [e["event_type"] for e in walk.timeline["events"]]
    for expected in (
        "application-submitted",
        "application-assessed",
        "allocation-decided",
        "grant-awarded",
        "tranche-scheduled",
        "tranche-released",
        "payment-instructed",
        "payment-settled",
        "report-submitted",
        "report-accepted",
    ):
        assert expected in kinds, (expected, kinds)


@pytest.mark.parametrize(
    "crash_at",
    [
        "payments.before_bank_call",
        "payments.after_bank_call",
        "payments.before_ack",
        "payments.after_ack",
        "payments.relay_after_publish",
    ],
)
def test_the_walk_survives_the_payments_worker_killed(start_system: Any, crash_at: str) -> None:
    running = start_system({"payments-worker": {"GRANTS_CRASH_AT": crash_at}})
    walk = run_walk(running.client, log=lambda _: None)
    marker = Path(running.system.var_dir) / "crash" / f"crash-{crash_at}.fired"
    assert marker.exists(), "the crash point never fired: the test proved nothing"
    assert running.system.processes["payments-worker"].restarts >= 1
    check_events(running, walk)
    check_money(running, walk)
