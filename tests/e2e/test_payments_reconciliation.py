"""End to end: payments reconciles against the real sandbox bank, varies and closes a grant; reporting follows.

A payment made at the bank outside the platform is found, raised once and shown on the operator dashboard; a
pattern change of the walked grant, approved by a second person, reaches reporting's grant read model tranche by
tranche; an early closure approved by a second person releases the unspent commitment in reporting's fund
position; `grants ledger check` exits 0 on the running system's database.
"""

import subprocess
import sys
from typing import Any

import httpx
import pytest

from grants_cli.walk import run_walk, wait_for
from grants_shared.auth import Role
from grants_shared.events import ReconciliationDifferenceFound
from grants_shared.ids import new_id
from tests.e2e.checks import distinct_events

pytestmark = pytest.mark.e2e
PAYEE = {"name": "Not a grantee", "sort_code": "040004", "account_number": "11112222"}


def schedule(client: Any, service: str, grant_id: str, token: str) -> list[tuple[str, str, int, int]]:
    """A grant's live tranches as a service shows them: id, due date, amount, of how many."""
    tranches = client.call("GET", service, f"/grants/{grant_id}", token)["tranches"]
    return sorted(
        (t["tranche_id"], t["due_on"], t["amount_pence"], t["of_tranches"])
        for t in tranches
        if t["status"] != "removed"
    )


def test_a_payment_made_outside_the_platform_is_found_and_the_books_still_check(start_system: Any) -> None:
    running = start_system({"payments-worker": {"PAYMENTS_RECONCILE_GRACE_S": "1"}})
    walk = run_walk(running.client, log=lambda _: None)
    client, finance = running.client, running.client.token(Role.FINANCE_OFFICER, subject="fiona")
    bank = running.system.url("sandbox-bank")
    stray = httpx.post(
        f"{bank}/payments",
        headers={"Idempotency-Key": f"outside-{new_id()}", **running.system.bank_headers()},
        timeout=10,
        json={"amount_pence": 4_321, "currency": "GBP", "payee_account": PAYEE, "reference": "NOT-A-GRANT"},
    ).json()
    httpx.post(
        f"{bank}/control/settle-now", headers=running.system.bank_headers(control=True), timeout=10
    ).raise_for_status()

    def only_the_stray_is_open() -> Any:
        view = client.call("GET", "payments", "/reconciliation", finance)
        return view if [d["provider_payment_id"] for d in view["differences"]] == [stray["payment_id"]] else None

    view = wait_for("the stray payment to be raised", only_the_stray_is_open, timeout_s=60)
    assert view["differences"][0]["kind"] == "unmatched_bank_line" and view["unmatched_postings"] == 0
    assert view["matched_lines"] >= 2  # the walk's two tranches, matched one to one

    def published() -> list[dict[str, Any]]:
        return [
            e
            for e in distinct_events(running.redis, ReconciliationDifferenceFound.stream())
            if e["payload"]["provider_payment_id"] == stray["payment_id"]
        ]

    raised = wait_for("the outbox relay to publish the difference", published, timeout_s=60)
    assert len(raised) == 1 and raised[0]["payload"]["difference_id"] == view["differences"][0]["difference_id"]

    def dashboard_shows_it() -> str | None:
        page = httpx.get(f"{running.system.url('reporting')}/dashboard", timeout=10).text
        return page if stray["payment_id"] in page else None

    dashboard = wait_for("the dashboard to show the difference", dashboard_shows_it, timeout_s=60)
    assert "1 open differences between the bank and the ledger" in dashboard

    varied = client.call(
        "POST",
        "payments",
        f"/grants/{walk.grant_id}/variations",
        finance,
        {"pattern": "annual", "reason": "the partnership prefers yearly payments"},
        expect=(202,),
    )
    assert varied["status"] == "pending_approval"  # every variation waits for a second person
    checker = client.token(Role.FINANCE_APPROVER, subject="amara")
    path = f"/grants/{walk.grant_id}/variations/{varied['variation_id']}/approve"
    assert client.call("POST", "payments", path, checker)["status"] == "applied"
    operator = client.token(Role.OPERATOR)
    wait_for(
        "reporting to record the variation",
        lambda: any(
            e["event_type"] == "grant-varied"
            for e in client.call("GET", "reporting", f"/grants/{walk.grant_id}/timeline", operator)["events"]
        ),
        60,
    )
    wait_for(
        "reporting's schedule to match payments'",
        lambda: (
            schedule(client, "reporting", walk.grant_id, operator)
            == schedule(client, "payments", walk.grant_id, operator)
        ),
        60,
    )

    closure = client.call(
        "POST",
        "payments",
        f"/grants/{walk.grant_id}/close",
        finance,
        {"reason": "the partnership dissolved"},
        expect=(202,),
    )
    approver = client.token(Role.FINANCE_APPROVER, subject="amara")
    client.call("POST", "payments", f"/grants/{walk.grant_id}/variations/{closure['variation_id']}/approve", approver)

    def closed() -> Any:
        grant = client.call("GET", "reporting", f"/grants/{walk.grant_id}", operator)
        return grant if grant["status"] == "closed" else None

    grant = wait_for("reporting to close the grant", closed, 60)
    paid = client.call("GET", "payments", f"/grants/{walk.grant_id}", operator)["paid_pence"]
    assert grant["released_pence"] == grant["amount_pence"] - paid > 0
    assert {t["status"] for t in grant["tranches"][2:]} <= {"cancelled", "removed"}
    position = client.call("GET", "reporting", "/fund/position", operator)
    assert (position["committed_pence"], position["unpaid_commitments_pence"]) == (paid, 0)
    check = subprocess.run(
        [sys.executable, "-m", "grants_cli.main", "ledger", "check"],
        capture_output=True,
        text=True,
        env=running.system.base_env(),
        timeout=120,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "ledger check: all invariants hold" in check.stdout and "ok   maker_checker" in check.stdout
