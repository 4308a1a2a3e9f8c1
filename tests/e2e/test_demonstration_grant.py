"""End to end: `grants demo`'s walk on real Redis and four real services; its grant is real, labelled, and uncounted.

Every fund figure of allocation, payments and reporting is read before the walk and after it (the grant paid two
tranches and reported once) and must not have moved, while the grant is shown by id as a demonstration.
"""

from typing import Any

import pytest

from grants_cli.walk import AWARD_PENCE, Client, run_walk
from grants_shared.auth import Role
from grants_shared.events import GrantAwarded
from tests.e2e.checks import about, check_events, distinct_events

pytestmark = pytest.mark.e2e
UNSTABLE = ("freshness", "as_of", "demonstration", "issued", "modified")
# The demo's application is a real application: the public page counts applications made, not money.
APPLIED = ("applications", "neighbourhoods_applied")


def _stable(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k not in UNSTABLE}


def fund_figures(client: Client) -> dict[str, Any]:
    """Every fund figure the services answer: pools, obligations, ledger headlines, position, outcomes, public."""
    operator, finance = client.token(Role.OPERATOR), client.token(Role.FINANCE_OFFICER)
    balances = client.call("GET", "payments", "/ledger/balances", finance)
    public = _stable(client.call("GET", "reporting", "/public/api/fund", operator))
    return {
        "pools": client.call("GET", "allocation", "/pools", operator),
        "payments_obligations": _stable(client.call("GET", "payments", "/fund/obligations", finance)),
        "ledger": {k: v for k, v in balances.items() if k.endswith("_pence")},
        "position": _stable(client.call("GET", "reporting", "/fund/position", operator)),
        "obligations": _stable(client.call("GET", "reporting", "/fund/obligations", operator)),
        "outcomes": _stable(client.call("GET", "reporting", "/outcomes", operator)),
        "fund_outcomes": _stable(client.call("GET", "reporting", "/fund/outcomes", operator)),
        "public": public,
        "public_funded": {k: v for k, v in public.items() if k not in APPLIED},
        "published": client.call("GET", "reporting", "/publication/360giving.json", operator)["grants"],
    }


def test_the_demo_walk_pays_a_labelled_grant_and_moves_no_fund_figure(start_system: Any) -> None:
    running = start_system()
    client = running.client
    before = fund_figures(client)
    walk = run_walk(client, log=lambda _: None, demonstration=True)
    assert walk.decision["awarded"] and walk.decision["awarded_pence"] == AWARD_PENCE
    check_events(running, walk)
    [awarded] = about(distinct_events(running.redis, GrantAwarded.stream()), "grant_id", walk.grant_id)
    assert awarded["payload"]["demonstration"] is True

    after = fund_figures(client)
    assert {k: after["public"][k] - before["public"][k] for k in APPLIED} == dict.fromkeys(APPLIED, 1)
    assert {k: v for k, v in after.items() if k != "public"} == {k: v for k, v in before.items() if k != "public"}
    assert before["position"]["committed_pence"] == 0 and before["published"] == []
    finance, operator = client.token(Role.FINANCE_OFFICER), client.token(Role.OPERATOR)
    paid = sum(t["amount_pence"] for t in walk.grant["tranches"] if t["status"] == "settled")
    assert walk.grant["demonstration"] is True and paid > 0
    ledger = client.call("GET", "payments", "/ledger/balances", finance)["demonstration"]
    assert (ledger["committed_pence"], ledger["paid_net_pence"]) == (AWARD_PENCE, paid)
    assert client.call("GET", "payments", "/ledger/check", finance)["ok"]
    shown = client.call("GET", "reporting", f"/grants/{walk.grant_id}", operator)
    assert shown["demonstration"] is True and shown["paid_pence"] == paid
    position = client.call("GET", "reporting", "/fund/position", operator)["demonstration"]
    assert position == {"grants": 1, "committed_pence": AWARD_PENCE, "paid_net_pence": paid}
    assert walk.position["committed_pence"] == 0
