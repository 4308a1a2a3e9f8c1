"""The grant walk over HTTP: application, assessment, allocation, tranche payments, impact report, figures.

`grants demo` runs it against a running system; the end-to-end tests run it and then check events and ledgers.
"""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from grants_shared.auth import Role, mint_token
from grants_shared.ids import new_id
from grants_shared.money import format_gbp
from grants_shared.settings import PlatformSettings

AWARD_PENCE = 150_000_000  # £1.5m
DURATION_MONTHS = 120


@dataclass
class Walk:
    """What the walk created and saw, for the caller to check or print."""

    application_id: str = ""
    grant_id: str = ""
    neighbourhood: dict[str, Any] = field(default_factory=dict)
    decision: dict[str, Any] = field(default_factory=dict)
    grant: dict[str, Any] = field(default_factory=dict)
    position: dict[str, Any] = field(default_factory=dict)
    timeline: dict[str, Any] = field(default_factory=dict)
    steps: list[str] = field(default_factory=list)


def wait_for(what: str, probe: Callable[[], Any], timeout_s: float = 60, every_s: float = 0.2) -> Any:
    """Poll `probe` until it returns something truthy; raise naming `what` when time runs out."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(every_s)


class Client:
    """A thin HTTP client for the four services, with a bearer token per role."""

    def __init__(self, urls: dict[str, str], settings: PlatformSettings | None = None) -> None:
        self.urls, self.settings = urls, settings or PlatformSettings()
        self.http = httpx.Client(timeout=30)

    def token(self, role: Role, organisation_id: str | None = None, subject: str | None = None) -> str:
        """A development token for a role."""
        return mint_token(
            self.settings, subject=subject or f"demo-{role}", roles=[role], organisation_id=organisation_id
        )

    def status(self, service: str, path: str, token: str) -> int:
        """The HTTP status of a GET (to wait for another service to catch up)."""
        return self.http.get(self.urls[service] + path, headers={"Authorization": f"Bearer {token}"}).status_code

    def call(
        self, method: str, service: str, path: str, token: str, json: Any = None, expect: tuple[int, ...] = (200, 201)
    ) -> Any:
        """Call a service; raise with the problem body when the status is not expected."""
        headers = {"Authorization": f"Bearer {token}"}
        if method == "POST":
            headers["Idempotency-Key"] = new_id()
        response = self.http.request(method, self.urls[service] + path, json=json, headers=headers)
        if response.status_code not in expect:
            raise RuntimeError(f"{method} {service}{path} -> {response.status_code}: {response.text}")
        return response.json() if response.content else None


def run_walk(
    client: Client, log: Callable[[str], None] = print, timeout_s: float = 60, *, demonstration: bool = False
) -> Walk:
    """Carry one grant from application to its second paid tranche; returns what was seen.

    With `demonstration` (as `grants demo` runs it) the round is a demonstration: its grant is real in every
    service, shown by id and labelled, and counted in none of the fund's figures.
    """
    walk = Walk()
    operator, assessor = client.token(Role.OPERATOR), client.token(Role.ASSESSOR)
    note = _logger(walk, log)

    walk.neighbourhood = _free_left_behind_ward(client, operator)
    note(f"neighbourhood {walk.neighbourhood['code']} {walk.neighbourhood['name']} (left behind)")
    org = client.call(
        "POST",
        "applications",
        "/organisations",
        operator,
        {
            "name": f"{walk.neighbourhood['name']} Community Trust",
            "org_id": f"GB-CHC-{random.randrange(10**6, 10**7)}",
            "fund_holding": True,
            "due_diligence": "passed",
        },
    )
    applicant = client.token(Role.APPLICANT, organisation_id=org["id"], subject="resident-chair")
    members = [{"name": f"Member {i}", "resident": i < 5, "joined_on": "2026-01-15"} for i in range(8)]
    partnership = client.call(
        "POST",
        "applications",
        "/partnerships",
        applicant,
        {
            "organisation_id": org["id"],
            "name": f"{walk.neighbourhood['name']} Partnership",
            "neighbourhood_code": walk.neighbourhood["code"],
            "members": members,
        },
    )
    note(f"partnership {partnership['id']}: 8 members, 5 residents, compliant={partnership['compliant']}")
    application = client.call(
        "POST",
        "applications",
        "/applications",
        applicant,
        {
            "partnership_id": partnership["id"],
            "requested_pence": AWARD_PENCE,
            "duration_months": DURATION_MONTHS,
            "themes": ["places_to_meet", "skills"],
            "summary": "A community hub and a skills programme.",
        },
    )
    walk.application_id = application["id"]
    submitted = client.call("POST", "applications", f"/applications/{walk.application_id}/submit", applicant)
    note(f"application {walk.application_id} submitted: {submitted['status']}")
    if submitted["status"] != "eligible":
        raise RuntimeError(f"application not eligible: {submitted['assessment']}")

    round_ = client.call(
        "POST",
        "allocation",
        "/rounds",
        operator,
        {
            "name": "Demo round",
            "budget_pence": 1_000_000_000,
            "min_award_pence": 100_000_000,
            "max_award_pence": 250_000_000,
            "demonstration": demonstration,
        },
    )
    note(f"{'demonstration ' if demonstration else ''}round {round_['id']} opened with £10,000,000")
    wait_for(
        "allocation to learn of the assessed application",
        lambda: any(
            d["application_id"] == walk.application_id
            for d in client.call("POST", "allocation", f"/rounds/{round_['id']}/runs", operator, {"mode": "simulate"})[
                "decisions"
            ]
        ),
        timeout_s,
    )
    run = client.call("POST", "allocation", f"/rounds/{round_['id']}/runs", operator, {"mode": "commit"})
    walk.decision = next(d for d in run["decisions"] if d["application_id"] == walk.application_id)
    note(f"run {run['run_id']} committed: {walk.decision['rationale']}")

    walk.grant_id = _grant_of(client, operator, walk, timeout_s)
    finance = client.token(Role.FINANCE_OFFICER)
    client.call(
        "POST",
        "payments",
        f"/grants/{walk.grant_id}/agreement",
        finance,
        {"signed_on": time.strftime("%Y-%m-%d", time.gmtime()), "reference": f"AGR-{walk.application_id[:8]}"},
    )
    note("grant agreement recorded as signed by finance")
    client.call(
        "POST",
        "payments",
        f"/grants/{walk.grant_id}/plan/endorse",
        assessor,
        {"note": "The partnership's plan meets the fund's priorities."},
    )
    note("partnership plan endorsed by an assessor: tranche 1 released")
    _wait_tranche_settled(client, finance, walk, 1, timeout_s)
    note("tranche 1 approved by a second person, paid by the sandbox bank and posted to the ledger")
    wait_for(
        "reporting to learn of the grant's first period",
        lambda: reporting_knows_period(client, operator, walk.grant_id, 1),
        timeout_s,
    )
    report = client.call(
        "POST",
        "reporting",
        "/reports",
        applicant,
        {
            "grant_id": walk.grant_id,
            "period_number": 1,
            "narrative": "The hub opened; 40 residents trained.",
            "outcomes": {
                "places_to_meet": 1,
                "civic_organisations": 2,
                "residents_engaged": 120,
                "volunteering_hours": 900,
                "people_into_education": 15,
                "people_into_employment": 6,
                "health_activities": 3,
            },
        },
    )
    client.call("POST", "reporting", f"/reports/{report['id']}/accept", assessor)
    note(f"impact report {report['id']} accepted")
    if _wait_tranche_settled(client, finance, walk, 2, timeout_s):
        note("tranche 2 approved and paid")
    else:
        note("tranche 2 waits for its due date: the release policy lets it go only shortly before")
    walk.grant = client.call("GET", "payments", f"/grants/{walk.grant_id}", finance)
    wait_for("reporting to show the tranches paid", lambda: _reporting_shows_paid(client, operator, walk), timeout_s)
    walk.position = client.call("GET", "reporting", "/fund/position", operator)
    walk.timeline = client.call("GET", "reporting", f"/grants/{walk.grant_id}/timeline", operator)
    p = walk.position
    note(
        f"fund position: budget {format_gbp(p['budget_pence'])}, committed {format_gbp(p['committed_pence'])}, "
        f"paid {format_gbp(p['paid_pence'])}, remaining {format_gbp(p['remaining_pence'])}"
    )
    if demonstration:
        shown = p.get("demonstration", {})
        note(
            f"the grant is a demonstration: not in the figures above (demonstration grants: {shown.get('grants')}, "
            f"committed {format_gbp(int(shown.get('committed_pence', 0)))})"
        )
    return walk


def _free_left_behind_ward(client: Client, token: str) -> dict[str, Any]:
    """A left-behind ward with no live application yet, so the demo can run again on the same data."""
    wards = client.call("GET", "applications", "/neighbourhoods?left_behind=true&limit=200", token)["items"]
    taken = {
        a["neighbourhood_code"]
        for a in client.call("GET", "applications", "/applications?limit=200", token)["items"]
        if a["status"] in ("submitted", "eligible")
    }
    free = [w for w in wards if w["code"] not in taken]
    if not free:
        raise RuntimeError("every left-behind ward already has a live application")
    ward: dict[str, Any] = free[0]
    return ward


def _logger(walk: Walk, log: Callable[[str], None]) -> Callable[[str], None]:
    def note(step: str) -> None:
        walk.steps.append(step)
        log(f"  - {step}")

    return note


def _grant_of(client: Client, token: str, walk: Walk, timeout_s: float) -> str:
    """The grant payments scheduled for the walk's application (it learns of it from `grant awarded`)."""
    grants = wait_for(
        "payments to schedule the grant",
        lambda: [
            g
            for g in client.call("GET", "payments", "/grants?limit=200", client.token(Role.FINANCE_OFFICER))["items"]
            if g["application_id"] == walk.application_id
        ],
        timeout_s,
    )
    return str(grants[0]["grant_id"])


def _wait_tranche_settled(client: Client, token: str, walk: Walk, number: int, timeout_s: float) -> bool:
    """Wait until tranche `number` is paid, approving it as a second person; False if it waits for its due date."""
    approver = client.token(Role.FINANCE_APPROVER)

    def settled() -> str | None:
        grant = client.call("GET", "payments", f"/grants/{walk.grant_id}", token, expect=(200, 404))
        tranche = next((t for t in (grant or {}).get("tranches", []) if t["number"] == number), None)
        if tranche is None:
            return None
        if tranche["status"] == "awaiting_approval":
            client.call("POST", "payments", f"/tranches/{tranche['tranche_id']}/approve", approver)
        if any(w["code"] == "tranche-not-yet-due" for w in tranche.get("waiting_for", [])):
            return "waiting"
        return "settled" if tranche["status"] == "settled" else None

    return bool(wait_for(f"tranche {number} to settle", settled, timeout_s) == "settled")


def reporting_knows_period(client: Any, token: str, grant_id: str, period: int) -> bool:
    """Reporting knows the grant and the tranche of `period` (it refuses a report on a period it has not heard of)."""
    if client.status("reporting", f"/grants/{grant_id}", token) != 200:
        return False
    return any(t["number"] == period for t in client.call("GET", "reporting", f"/grants/{grant_id}", token)["tranches"])


def _reporting_shows_paid(client: Client, token: str, walk: Walk) -> bool:
    """Reporting's read model of the grant counts the settled tranches."""
    grant = client.call("GET", "reporting", f"/grants/{walk.grant_id}", token)
    expected = sum(t["amount_pence"] for t in walk.grant["tranches"] if t["status"] == "settled")
    return bool(grant.get("paid_pence") == expected)
