"""The fund's workload over HTTP: wards apply, a £175m round is committed, grants are agreed, paid and reported on.

By default the official 225 left-behind wards apply; each award gets its agreement and endorsed plan (releasing
tranche 1), then each period's report is accepted (releasing the next tranche); tranches above the approval threshold
are approved by a second person. Every step waits for the platform to act before the next one.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from grants_cli.soak.client import SoakClient
from grants_cli.walk import reporting_knows_period, wait_for
from grants_cli.worked_example import POLICY, all_decisions, apply_for, left_behind_wards, wait_for_pool
from grants_shared.auth import Role

OUTCOMES = {
    "places_to_meet": 1,
    "civic_organisations": 2,
    "residents_engaged": 120,
    "volunteering_hours": 900,
    "people_into_education": 15,
    "people_into_employment": 6,
    "health_activities": 3,
}
AWARD_SHARE = 0.4  # about 103 of 225 wards win in a £175m least-first round; the fault plan assumes fewer


@dataclass(frozen=True)
class Spec:
    """What to run: how many wards apply (first by code), how many report periods, the seed of the requests."""

    wards: int = 225
    periods: int = 1
    seed: int = 1
    timeout_s: float = 600


@dataclass
class Done:
    """What the workload made: the applications, the committed run and the grants payments holds."""

    applications: dict[str, dict[str, Any]] = field(default_factory=dict)
    run: dict[str, Any] = field(default_factory=dict)
    grants: list[dict[str, Any]] = field(default_factory=list)


def expected_actions(spec: Spec) -> int:
    """A low estimate of the actions (POSTs) the workload makes, for spreading faults over them."""
    awards = math.floor(spec.wards * AWARD_SHARE)
    return spec.wards * 4 + 2 + awards * (2 + 2 * spec.periods)


def run_workload(client: SoakClient, spec: Spec, log: Callable[[str], None] = print) -> Done:
    """Carry the whole workload through; returns what it made."""
    done = Done()
    wards = sorted(left_behind_wards(client), key=lambda w: w["code"])[: spec.wards]
    log(f"{len(wards)} left-behind wards apply")
    done.applications = apply_for(client, wards, spec.seed)
    wait_for_pool(client, set(done.applications), spec.timeout_s)
    done.run = commit_round(client)
    awarded = {
        d["application_id"]
        for d in all_decisions(client, client.token(Role.OPERATOR), done.run["run_id"])
        if d["awarded"]
    }
    log(f"round committed: {len(awarded)} awards")
    done.grants = wait_for_grants(client, awarded, spec.timeout_s)
    agree_and_endorse(client, done.grants)
    pay_tranche(client, 1, spec.timeout_s, log)
    for period in range(1, spec.periods + 1):
        report_and_accept(client, done.grants, period, spec.timeout_s)
        pay_tranche(client, period + 1, spec.timeout_s, log)
    return done


def commit_round(client: SoakClient) -> dict[str, Any]:
    """Open the £175m least-first round and commit its run."""
    operator = client.token(Role.OPERATOR)
    round_ = client.call("POST", "allocation", "/rounds", operator, {"name": "Soak: least first, £175m", **POLICY})
    run: dict[str, Any] = client.call(
        "POST", "allocation", f"/rounds/{round_['id']}/runs", operator, {"mode": "commit"}
    )
    return run


def payments_grants(client: SoakClient) -> list[dict[str, Any]]:
    """Every grant payments holds, with its tranches."""
    token, grants = client.token(Role.FINANCE_OFFICER), list[dict[str, Any]]()
    while True:
        page = client.call("GET", "payments", f"/grants?limit=200&offset={len(grants)}", token)
        grants.extend(page["items"])
        if not page["items"] or len(grants) >= page["total"]:
            return grants


def wait_for_grants(client: SoakClient, application_ids: set[str], timeout_s: float) -> list[dict[str, Any]]:
    """Wait until payments has scheduled a grant for every awarded application."""

    def scheduled() -> list[dict[str, Any]] | None:
        grants = [g for g in payments_grants(client) if g["application_id"] in application_ids]
        return grants if len(grants) == len(application_ids) else None

    found: list[dict[str, Any]] = wait_for("payments to schedule every award", scheduled, timeout_s, 0.5)
    return sorted(found, key=lambda g: g["grant_id"])


def agree_and_endorse(client: SoakClient, grants: list[dict[str, Any]]) -> None:
    """Record each grant's signed agreement and endorse its plan: tranche 1's conditions."""
    finance, assessor = client.token(Role.FINANCE_OFFICER), client.token(Role.ASSESSOR)
    for grant in grants:
        client.call(
            "POST",
            "payments",
            f"/grants/{grant['grant_id']}/agreement",
            finance,
            {"signed_on": grant["awarded_at"][:10], "reference": f"AGR-{grant['grant_id'][:8]}"},
        )
        client.call(
            "POST",
            "payments",
            f"/grants/{grant['grant_id']}/plan/endorse",
            assessor,
            {"note": "The partnership's plan meets the fund's priorities."},
        )


def pay_tranche(client: SoakClient, number: int, timeout_s: float, log: Callable[[str], None]) -> None:
    """Approve tranche `number` wherever it awaits a second person; wait until it is settled on every grant."""
    approver = client.token(Role.FINANCE_APPROVER, subject="soak-approver")

    def settled() -> bool:
        states = [t for g in payments_grants(client) for t in g["tranches"] if t["number"] == number]
        for tranche in states:
            if tranche["status"] == "awaiting_approval":
                client.call("POST", "payments", f"/tranches/{tranche['tranche_id']}/approve", approver)
        return bool(states) and all(t["status"] == "settled" for t in states)

    wait_for(f"tranche {number} to settle on every grant", settled, timeout_s, 0.5)
    log(f"tranche {number} settled on every grant")


def report_and_accept(client: SoakClient, grants: list[dict[str, Any]], period: int, timeout_s: float) -> None:
    """Each grant's partnership reports on the period and an assessor accepts the report."""
    operator, assessor = client.token(Role.OPERATOR), client.token(Role.ASSESSOR)
    for grant in grants:
        wait_for(
            "reporting to learn of the grant's period",
            lambda g=grant: reporting_knows_period(client, operator, g["grant_id"], period),  # type: ignore[misc]
            timeout_s,
        )
        applicant = client.token(Role.APPLICANT, organisation_id=grant["organisation_id"], subject="resident-chair")
        report = client.call(
            "POST",
            "reporting",
            "/reports",
            applicant,
            {
                "grant_id": grant["grant_id"],
                "period_number": period,
                "outcomes": OUTCOMES,
                "narrative": f"Period {period}: the hub is open and residents are training.",
            },
        )
        client.call("POST", "reporting", f"/reports/{report['id']}/accept", assessor)
