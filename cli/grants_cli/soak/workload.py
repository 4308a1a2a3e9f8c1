"""The fund's workload over HTTP: wards apply, a £175m round is committed, grants are agreed, paid and reported on.

By default the official 225 left-behind wards apply; each award gets its agreement and endorsed plan (releasing
tranche 1) and an outcome plan, then each period's report (a result per planned indicator; one in eight sent back
and resubmitted first) is accepted (releasing the next tranche); tranches above the approval threshold
are approved by a second person. Every step waits for the platform to act before the next one.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from grants_cli.soak.client import SoakClient
from grants_cli.soak.outcomes import CHANGES_ASKED, SEND_BACK_EVERY, plan_for, results_for, sent_back
from grants_cli.walk import reporting_knows_period, wait_for
from grants_cli.worked_example import POLICY, all_decisions, apply_for, left_behind_wards, wait_for_pool
from grants_shared.auth import Role

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
    """What the workload made: the applications, the committed run, the grants payments holds, each grant's outcome
    plan and the results of its accepted reports (by grant, then period)."""

    applications: dict[str, dict[str, Any]] = field(default_factory=dict)
    run: dict[str, Any] = field(default_factory=dict)
    grants: list[dict[str, Any]] = field(default_factory=list)
    plans: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    accepted: dict[str, dict[int, dict[str, int]]] = field(default_factory=dict)
    ranges: dict[str, tuple[int, int]] = field(default_factory=dict)  # each indicator's catalogue range
    sent_back: int = 0


def expected_actions(spec: Spec) -> int:
    """A low estimate of the actions (POSTs) the workload makes, for spreading faults over them."""
    awards = math.floor(spec.wards * AWARD_SHARE)
    sent_back = awards // SEND_BACK_EVERY * 2 * spec.periods  # a report sent back: the request and the resubmission
    return spec.wards * 4 + 2 + awards * (2 + 2 * spec.periods) + sent_back


def run_workload(client: SoakClient, spec: Spec, log: Callable[[str], None] = print, done: Done | None = None) -> Done:
    """Carry the whole workload through; returns what it made (into `done` when given, so a failure keeps it)."""
    done = done if done is not None else Done()
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
    set_outcome_plans(client, done, spec)
    log(f"outcome plans set on {len(done.plans)} grants")
    for period in range(1, spec.periods + 1):
        report_and_accept(client, done, period, spec)
        log(f"period {period}: {len(done.grants)} reports accepted, {done.sent_back} of them sent back once first")
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


def set_outcome_plans(client: SoakClient, done: Done, spec: Spec) -> None:
    """Each grant's outcome plan: a few catalogue indicators with baselines and targets, once reporting knows it."""
    operator, assessor = client.token(Role.OPERATOR), client.token(Role.ASSESSOR)
    indicators = client.call("GET", "reporting", "/indicators", operator)["indicators"]
    for grant in done.grants:
        grant_id = grant["grant_id"]
        wait_for(
            "reporting to learn of the grant's first period",
            lambda g=grant_id: reporting_knows_period(client, operator, g, 1),  # type: ignore[misc]
            spec.timeout_s,
        )
        plan = plan_for(grant_id, indicators, date.fromisoformat(grant["awarded_at"][:10]), spec.seed)
        client.call("PUT", "reporting", f"/grants/{grant_id}/outcome-plan", assessor, {"indicators": plan})
        done.plans[grant_id] = plan
    done.ranges = {i["code"]: (i["minimum"], i["maximum"]) for i in indicators}


def report_and_accept(client: SoakClient, done: Done, period: int, spec: Spec) -> None:
    """Each grant's partnership reports the period's results; a few are sent back once; an assessor accepts."""
    operator, assessor = client.token(Role.OPERATOR), client.token(Role.ASSESSOR)
    for index, grant in enumerate(done.grants):
        grant_id = grant["grant_id"]
        wait_for(
            "reporting to learn of the grant's period",
            lambda g=grant_id: reporting_knows_period(client, operator, g, period),  # type: ignore[misc]
            spec.timeout_s,
        )
        applicant = client.token(Role.APPLICANT, organisation_id=grant["organisation_id"], subject="resident-chair")
        versions = 2 if sent_back(index) else 1
        for version in range(1, versions + 1):
            results = results_for(grant_id, done.plans[grant_id], done.ranges, period, spec.seed, version)
            report = submit(client, applicant, grant_id, period, results)
            if version < versions:
                body = {"reasons": CHANGES_ASKED}
                client.call("POST", "reporting", f"/reports/{report['id']}/request-changes", assessor, body)
        client.call("POST", "reporting", f"/reports/{report['id']}/accept", assessor)
        done.accepted.setdefault(grant_id, {})[period] = results
        done.sent_back += versions > 1


def submit(client: SoakClient, applicant: str, grant_id: str, period: int, results: dict[str, int]) -> Any:
    """The partnership's report on the period with a result per planned indicator."""
    body = {
        "grant_id": grant_id,
        "period_number": period,
        "outcomes": results,
        "narrative": f"Period {period}: the hub is open and residents are training.",
    }
    return client.call("POST", "reporting", "/reports", applicant, body)
