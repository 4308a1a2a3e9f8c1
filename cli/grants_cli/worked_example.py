"""The worked example on the real registry (`grants example allocation`, declared in example_command.py).

It starts the whole platform as real processes in a temporary folder (an embedded Redis and every service on
free ports, the official files loaded), applies over HTTP for every 'left behind' ward, opens a round, commits
its run, simulates the same pool with a £1m maximum award (breadth against depth) and writes a Markdown report.
"""

import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from grants_cli.ports import free_ports
from grants_cli.redis_server import EmbeddedRedis
from grants_cli.system import DEFAULT_PORTS, SERVICES, System
from grants_cli.walk import Client, wait_for
from grants_cli.worked_example_report import Example, render
from grants_shared.auth import Role

MEMBERS = [{"name": f"Member {i}", "resident": i < 5, "joined_on": "2026-01-15"} for i in range(8)]
THEMES = ["places_to_meet", "civic_organisations", "skills", "health", "employment", "education", "youth"]
POLICY = {
    "budget_pence": 17_500_000_000,
    "min_award_pence": 100_000_000,
    "max_award_pence": 250_000_000,
    "eligibility": "left_behind",
    "imd_weight": 50,
    "cni_weight": 50,
}
BREADTH_MAX_PENCE = 100_000_000


def example_system(
    var_dir: Path,
    redis_url: str,
    extra_env: dict[str, str] | None = None,
    per_process_env: dict[str, dict[str, str]] | None = None,
    kind: type[System] = System,
) -> System:
    """The platform on free ports, allocation pointed at the applications API for the registry."""
    ports = dict(zip(DEFAULT_PORTS, free_ports(len(DEFAULT_PORTS)), strict=True))
    env = {
        "APPLICATIONS_URL": f"http://127.0.0.1:{ports['applications']}",
        "ALLOCATION_REGISTRY_POLL_S": "0.2",
        **(extra_env or {}),
    }
    return kind(var_dir=var_dir, redis_url=redis_url, ports=ports, extra_env=env, per_process_env=per_process_env or {})


def left_behind_wards(client: Client) -> list[dict[str, Any]]:
    """Every 'left behind' ward of the registry in force, by code."""
    token, wards = client.token(Role.OPERATOR), list[dict[str, Any]]()
    while True:
        page = client.call(
            "GET", "applications", f"/neighbourhoods?left_behind=true&limit=200&offset={len(wards)}", token
        )
        wards.extend(page["items"])
        if not page["items"] or len(wards) >= page["total"]:
            return wards


def apply_for(client: Client, wards: list[dict[str, Any]], seed: int) -> dict[str, dict[str, Any]]:
    """One organisation, resident partnership and submitted application per ward; requests seeded."""
    rng, operator, made = random.Random(seed), client.token(Role.OPERATOR), {}
    for i, ward in enumerate(sorted(wards, key=lambda w: w["code"])):
        requested, months = rng.randrange(100, 251) * 1_000_000, rng.randrange(120, 181, 6)
        org = client.call(
            "POST",
            "applications",
            "/organisations",
            operator,
            {
                "name": f"{ward['name']} Community Trust",
                "org_id": f"GB-CHC-{1_100_000 + seed % 1000 * 1000 + i}",
                "fund_holding": True,
                "due_diligence": "passed",
            },
        )
        applicant = client.token(Role.APPLICANT, organisation_id=org["id"], subject=f"chair-{ward['code']}")
        partnership = client.call(
            "POST",
            "applications",
            "/partnerships",
            applicant,
            {
                "organisation_id": org["id"],
                "name": f"{ward['name']} Big Local",
                "neighbourhood_code": ward["code"],
                "members": MEMBERS,
            },
        )
        application = client.call(
            "POST",
            "applications",
            "/applications",
            applicant,
            {
                "partnership_id": partnership["id"],
                "requested_pence": requested,
                "duration_months": months,
                "themes": rng.sample(THEMES, 2),
                "summary": f"Resident-led plan for {ward['name']}.",
            },
        )
        submitted = client.call("POST", "applications", f"/applications/{application['id']}/submit", applicant)
        if submitted["status"] != "eligible":
            raise RuntimeError(f"{ward['code']}: application not eligible: {submitted.get('assessment')}")
        made[application["id"]] = {"ward": ward["code"], "requested_pence": requested, "duration_months": months}
    return made


def wait_for_pool(client: Client, application_ids: set[str], timeout_s: float = 120) -> dict[str, Any]:
    """Wait until allocation holds the registry in force and has every application in its pool."""
    token = client.token(Role.OPERATOR)

    def ready() -> dict[str, Any] | None:
        registry = client.call("GET", "allocation", "/registry", token)["in_force"]
        waiting, offset = set(), 0
        while True:
            page = client.call("GET", "allocation", f"/pool?limit=200&offset={offset}", token)
            waiting |= {item["application_id"] for item in page["items"]}
            offset += len(page["items"])
            if not page["items"] or offset >= page["total"]:
                break
        held = registry is not None and registry["status"] == "held"
        return registry if held and application_ids <= waiting else None

    return dict(wait_for("allocation to hold the registry and every application", ready, timeout_s, 0.5))


def timed(timings: dict[str, list[float]], name: str, call: Callable[[], Any]) -> Any:
    """Call and record how long it took, in milliseconds."""
    started = time.perf_counter()
    result = call()
    timings.setdefault(name, []).append((time.perf_counter() - started) * 1000)
    return result


def all_decisions(client: Client, token: str, run_id: str) -> list[dict[str, Any]]:
    """Every decision of a run, in rank order."""
    decisions: list[dict[str, Any]] = []
    while True:
        page = client.call("GET", "allocation", f"/runs/{run_id}/decisions?limit=200&offset={len(decisions)}", token)
        decisions.extend(page["items"])
        if not page["items"] or len(decisions) >= page["total"]:
            return decisions


def run_example(client: Client, seed: int, log: Callable[[str], None] = print) -> Example:
    """Apply for every left-behind ward, wait for allocation to hold them, then allocate and compare."""
    timings: dict[str, list[float]] = {}
    wards = left_behind_wards(client)
    log(f"{len(wards)} left-behind wards; applying for each")
    applications = timed(timings, "apply (4 requests per ward, all wards)", lambda: apply_for(client, wards, seed))
    registry = wait_for_pool(client, set(applications))
    log(f"allocation holds {registry['wards_held']} wards of {registry['vintage']} and all {len(applications)} bids")
    example = allocate_and_compare(client, seed, registry, {w["code"]: w for w in wards}, applications, timings)
    log(
        f"committed run {example.run['run_id']}: {example.run['totals']['awards']} awards; "
        f"verified={example.verified['verified']}"
    )
    return example


def allocate_and_compare(
    client: Client,
    seed: int,
    registry: dict[str, Any],
    wards: dict[str, dict[str, Any]],
    applications: dict[str, dict[str, Any]],
    timings: dict[str, list[float]],
) -> Example:
    """Open the least-first round and a breadth round (max £1m), simulate both, commit the first, diff them."""
    operator = client.token(Role.OPERATOR)

    def call(method: str, path: str, body: Any = None) -> Any:
        return client.call(method, "allocation", path, operator, body)

    depth = call("POST", "/rounds", {"name": "Least first, £1m to £2.5m", **POLICY})
    what_if = {"name": "Breadth: £1m each", **POLICY, "max_award_pence": BREADTH_MAX_PENCE, "scenario": True}
    breadth = call("POST", "/rounds", what_if)  # simulated only: a scenario, never a fund figure
    runs_path = f"/rounds/{depth['id']}/runs"
    for _ in range(3):
        timed(timings, "simulate", lambda: call("POST", runs_path, {"mode": "simulate"}))
    wide = timed(timings, "simulate", lambda: call("POST", f"/rounds/{breadth['id']}/runs", {"mode": "simulate"}))
    run = timed(timings, "commit", lambda: call("POST", runs_path, {"mode": "commit"}))
    verified = timed(timings, "verify", lambda: call("POST", f"/runs/{run['run_id']}/verify"))
    diff = timed(timings, "diff", lambda: call("GET", f"/runs/diff?a={run['run_id']}&b={wide['run_id']}"))
    breadth = call("POST", f"/rounds/{breadth['id']}/close")  # the scenario round: it committed nothing
    return Example(
        seed=seed,
        registry=registry,
        wards=wards,
        applications=applications,
        round=depth,
        run={k: v for k, v in run.items() if k != "decisions"},
        decisions=all_decisions(client, operator, run["run_id"]),
        verified=verified,
        breadth_round=breadth,
        breadth_run={k: v for k, v in wide.items() if k != "decisions"},
        diff=diff,
        timings_ms={name: statistics.median(values) for name, values in timings.items()},
    )


def produce(reference_data: Path, out: Path, seed: int, log: Callable[[str], None] = print) -> None:
    """Start the platform in a temporary folder on the official files, run the example, write its report to `out`."""
    with tempfile.TemporaryDirectory(prefix="grants-example-") as tmp:
        redis = EmbeddedRedis(Path(tmp) / "redis", persistent=False).start()
        system = example_system(Path(tmp) / "var", redis.url)
        try:
            log(f"starting the platform in {tmp} (Redis {redis.url})")
            system.start(reference_data=reference_data, timeout_s=120)
            example = run_example(Client({s: system.url(s) for s in SERVICES}), seed, log=log)
        finally:
            system.stop()
            redis.stop()
    out.write_text(render(example), encoding="utf-8")
    log(f"wrote {out}")
