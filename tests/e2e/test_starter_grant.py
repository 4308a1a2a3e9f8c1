"""End to end: a forming partnership's starter grant (application, decision, paid) and its step to a main award,
across the four real services on real Redis."""

import random
import time
from typing import Any

import pytest

from grants_cli.walk import Client, wait_for
from grants_shared.auth import Role

pytestmark = pytest.mark.e2e
TIMEOUT_S = 120  # nine processes on a shared 2-core machine
STARTER_PENCE, MAIN_PENCE = 2_500_000, 150_000_000


class Path:
    """The tokens and objects one partnership's path needs."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.operator, self.assessor = client.token(Role.OPERATOR), client.token(Role.ASSESSOR)
        self.finance = client.token(Role.FINANCE_OFFICER, subject="fiona")
        self.approver = client.token(Role.FINANCE_APPROVER, subject="bob")
        self.applicant = ""
        self.partnership: dict[str, Any] = {}

    def form(self) -> None:
        """An organisation and a forming partnership of five in a left-behind ward."""
        c = self.client
        ward = c.call("GET", "applications", "/neighbourhoods?left_behind=true&limit=1", self.operator)["items"][0]
        org = c.call(
            "POST",
            "applications",
            "/organisations",
            self.operator,
            {
                "name": f"{ward['name']} Trust",
                "org_id": f"GB-CHC-{random.randrange(10**6, 10**7)}",
                "fund_holding": True,
                "due_diligence": "passed",
            },
        )
        self.applicant = c.token(Role.APPLICANT, organisation_id=org["id"], subject="resident-chair")
        forming = [{"name": f"Member {i}", "resident": i < 3, "joined_on": "2026-01-15"} for i in range(5)]
        body = {"organisation_id": org["id"], "name": "Forming", "neighbourhood_code": ward["code"], "members": forming}
        self.partnership = c.call("POST", "applications", "/partnerships", self.applicant, body)

    def apply(self, grant_type: str, pence: int, months: int) -> dict[str, Any]:
        """Draft and submit an application of the grant type; the submitted application."""
        body = {
            "partnership_id": self.partnership["id"],
            "grant_type": grant_type,
            "requested_pence": pence,
            "duration_months": months,
            "themes": ["civic_organisations"],
            "summary": "Residents get organised.",
        }
        draft = self.client.call("POST", "applications", "/applications", self.applicant, body)
        submitted: dict[str, Any] = self.client.call(
            "POST", "applications", f"/applications/{draft['id']}/submit", self.applicant
        )
        return submitted

    def award(self, grant_type: str, application_id: str, budget: int, low: int, high: int) -> dict[str, Any]:
        """Open a round of the grant type, wait for allocation to pool the application compliant, commit."""
        c = self.client
        body = {"name": f"{grant_type} round", "grant_type": grant_type, "budget_pence": budget}
        round_ = c.call(
            "POST", "allocation", "/rounds", self.operator, {**body, "min_award_pence": low, "max_award_pence": high}
        )

        def pooled() -> bool:
            items = c.call("GET", "allocation", f"/pool?grant_type={grant_type}&limit=200", self.operator)["items"]
            return any(a["application_id"] == application_id and a["partnership_compliant"] for a in items)

        wait_for(f"allocation to pool the {grant_type} application", pooled, TIMEOUT_S)
        run = c.call("POST", "allocation", f"/rounds/{round_['id']}/runs", self.operator, {"mode": "commit"})
        decision: dict[str, Any] = next(d for d in run["decisions"] if d["application_id"] == application_id)
        return decision

    def grant_of(self, application_id: str) -> dict[str, Any]:
        """The grant payments scheduled for the application."""

        def scheduled() -> list[dict[str, Any]]:
            items = self.client.call("GET", "payments", "/grants?limit=200", self.finance)["items"]
            return [g for g in items if g["application_id"] == application_id]

        grant_id = wait_for("payments to schedule the grant", scheduled, TIMEOUT_S)[0]["grant_id"]
        grant: dict[str, Any] = self.client.call("GET", "payments", f"/grants/{grant_id}", self.finance)
        return grant

    def pay_first_tranche(self, grant_id: str) -> None:
        """Finance records the agreement; a second person approves tranche 1; the bank settles it."""
        c, today = self.client, time.strftime("%Y-%m-%d", time.gmtime())
        c.call(
            "POST",
            "payments",
            f"/grants/{grant_id}/agreement",
            self.finance,
            {"signed_on": today, "reference": "AGR-S"},
        )

        def settled() -> bool:
            first = c.call("GET", "payments", f"/grants/{grant_id}", self.finance)["tranches"][0]
            if first["status"] == "awaiting_approval":
                c.call("POST", "payments", f"/tranches/{first['tranche_id']}/approve", self.approver)
            return bool(first["status"] == "settled")

        wait_for("tranche 1 to settle", settled, TIMEOUT_S)

    def reporting_grant(self, grant_id: str, paid_pence: int) -> dict[str, Any]:
        """Reporting's read model of the grant once it counts `paid_pence` paid."""

        def seen() -> dict[str, Any] | None:
            if self.client.status("reporting", f"/grants/{grant_id}", self.operator) != 200:
                return None
            grant: dict[str, Any] = self.client.call("GET", "reporting", f"/grants/{grant_id}", self.operator)
            return grant if grant["paid_pence"] == paid_pence else None

        found: dict[str, Any] = wait_for("reporting to show the grant", seen, TIMEOUT_S)
        return found


def test_a_forming_partnership_gets_a_starter_grant_paid_then_moves_to_a_main_award(start_system: Any) -> None:
    running = start_system()
    path, c = Path(running.client), running.client
    path.form()
    assert path.partnership["compliant"] is False  # five members: not yet ready for the main award
    adviser = c.call(
        "POST",
        "applications",
        f"/partnerships/{path.partnership['id']}/adviser",
        path.assessor,
        {"name": "Ada Lovelace"},
    )
    too_much = c.call(
        "POST",
        "applications",
        "/applications",
        path.applicant,
        {
            "partnership_id": path.partnership["id"],
            "grant_type": "starter",
            "requested_pence": 100_000_000,
            "duration_months": 12,
            "themes": ["civic_organisations"],
            "summary": "Asks a main award's money.",
        },
        expect=(422,),
    )
    assert too_much["code"] == "requested-above-grant-type-maximum"

    starter = path.apply("starter", STARTER_PENCE, 12)
    assert (starter["status"], starter["grant_type"]) == ("eligible", "starter"), starter["assessment"]
    decided = path.award("starter", starter["id"], 50_000_000, 500_000, 5_000_000)
    assert decided["awarded"] and decided["awarded_pence"] == STARTER_PENCE
    grant = path.grant_of(starter["id"])
    assert [t["amount_pence"] for t in grant["tranches"]] == [1_250_000, 1_250_000]
    path.pay_first_tranche(grant["grant_id"])
    seen = path.reporting_grant(grant["grant_id"], 1_250_000)
    assert seen["grant_type"] == "starter" and seen["amount_pence"] == STARTER_PENCE

    for i in range(3):  # the partnership grows to the main award's eight members
        joiner = {"name": f"Joiner {i}", "resident": True, "joined_on": "2026-06-01"}
        c.call("POST", "applications", f"/partnerships/{path.partnership['id']}/members", path.applicant, joiner)
    main = path.apply("main", MAIN_PENCE, 120)
    assert (main["status"], main["grant_type"]) == ("eligible", "main"), main["assessment"]
    decided = path.award("main", main["id"], 1_000_000_000, 100_000_000, 250_000_000)
    assert decided["awarded"] and decided["awarded_pence"] == MAIN_PENCE
    main_grant = path.grant_of(main["id"])
    assert len(main_grant["tranches"]) == 20
    assert path.reporting_grant(main_grant["grant_id"], 0)["grant_type"] == "main"

    code = path.partnership["neighbourhood_code"]

    def history() -> dict[str, Any] | None:
        found: dict[str, Any] = c.call("GET", "applications", f"/neighbourhoods/{code}/history", path.operator)
        awarded = [s["grant_type"] for s in found["steps"] if s["step"] == "grant_awarded"]
        return found if awarded == ["starter", "main"] else None

    steps = [
        (s["step"], s["grant_type"]) for s in wait_for("the history to show both awards", history, TIMEOUT_S)["steps"]
    ]
    assert steps == [
        ("adviser_assigned", None),
        ("application_submitted", "starter"),
        ("grant_awarded", "starter"),
        ("application_submitted", "main"),
        ("starter_to_main", "main"),
        ("grant_awarded", "main"),
    ]
    streams = list(running.redis.scan_iter(match="grants.*", _type="STREAM"))
    entries = [fields for stream in streams for _, fields in running.redis.xrange(stream)]
    assert entries and adviser["adviser_id"]
    assert not any(b"Lovelace" in value for fields in entries for value in fields.values())  # no name in events
