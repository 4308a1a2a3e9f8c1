"""The operator CLI against the allocation API running as a real uvicorn process on a free loopback port."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import typer
from click.testing import Result
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from allocation.adapters.orm import Decision
from allocation_tests.kit import bearer
from allocation_tests.procs import api_process, running
from allocation_tests.seed import seed_pool
from grants_cli.allocation_commands import parse_pounds
from grants_cli.main import app
from grants_shared.auth import Role


@pytest.fixture(scope="module")
def api_url(migrated_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The allocation API as a real process on the test database (emptied before each test by db_url)."""
    process, url = api_process("allocation", {"ALLOCATION_DATABASE_URL": migrated_url}, tmp_path_factory.mktemp("cli"))
    with running(process, f"{url}/healthz"):
        yield url


def grants(url: str, *args: str) -> Result:
    """Run `grants ARGS --base-url URL` as an operator would."""
    return CliRunner().invoke(app, [*args, "--base-url", url], env={"COLUMNS": "250"})


def as_json(url: str, *args: str) -> Any:
    """Run a command with --json and read its output."""
    result = grants(url, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def api(url: str, path: str) -> Any:
    """GET from the API directly, to compare with what the CLI printed."""
    return httpx.get(url + path, headers=bearer(Role.OPERATOR)).json()


def test_an_operator_runs_a_round_from_the_command_line(api_url: str, sessions: sessionmaker[Session]) -> None:
    applications = seed_pool(sessions, 12)
    opened = as_json(
        api_url,
        "rounds",
        "open",
        "--name",
        "Spring",
        "--budget",
        "£10m",
        "--min-award",
        "1m",
        "--max-award",
        "2,500,000",
        "--reserve",
        "0.5m",
        "--cap",
        "North East=3m",
        "--partial-awards",
    )
    policy = opened["policy"]
    assert (policy["budget_pence"], policy["min_award_pence"], policy["max_award_pence"]) == (10**9, 10**8, 25 * 10**7)
    assert policy["reserve_pence"] == 5 * 10**7 and policy["region_caps"] == {"North East": 3 * 10**8}
    assert policy["partial_awards"] is True and opened == api(api_url, f"/rounds/{opened['id']}")
    round_id = opened["id"]
    assert round_id in grants(api_url, "rounds", "list").output

    simulated = as_json(api_url, "runs", "simulate", round_id)
    assert simulated["mode"] == "simulate" and simulated["totals"]["considered"] == 12
    committed = grants(api_url, "runs", "commit", round_id, "--show", "3")
    assert committed.exit_code == 0 and "(commit)" in committed.output and "Decisions 1-3 of 12" in committed.output
    [run] = [r for r in api(api_url, f"/rounds/{round_id}/runs")["items"] if r["mode"] == "commit"]
    shown = as_json(api_url, "runs", "show", run["run_id"], "--limit", "5", "--offset", "2")
    assert shown["page"] == api(api_url, f"/runs/{run['run_id']}/decisions?limit=5&offset=2")
    verified = grants(api_url, "runs", "verify", run["run_id"])
    assert verified.exit_code == 0 and f"inputs_hash: {run['inputs_hash']} == {run['inputs_hash']}" in verified.output
    diff = as_json(api_url, "runs", "diff", simulated["run_id"], run["run_id"])
    assert diff == api(api_url, f"/runs/diff?a={simulated['run_id']}&b={run['run_id']}") and diff["changes"] == 0
    page = grants(api_url, "runs", "show", run["run_id"], "--limit", "2")
    assert page.exit_code == 0 and "Decisions 1-2 of 12" in page.output and applications[0] in page.output

    decision = api(api_url, f"/applications/{applications[0]}/decision")
    why = grants(api_url, "why", applications[0])
    assert why.exit_code == 0 and " ".join(decision["rationale"].split()) in " ".join(why.output.split())
    listing = grants(api_url, "rounds", "show", round_id).output
    assert simulated["run_id"] in listing and run["run_id"] in listing and "North East £3,000,000" in listing
    assert as_json(api_url, "rounds", "close", round_id)["status"] == "closed"


def test_breadth_against_depth_is_a_diff_of_two_simulations(api_url: str, sessions: sessionmaker[Session]) -> None:
    seed_pool(sessions, 12)
    runs = []
    for most in ("2.5m", "1m"):
        round_id = as_json(
            api_url,
            "rounds",
            "open",
            "--name",
            f"max {most}",
            "--budget",
            "10m",
            "--min-award",
            "1m",
            "--max-award",
            most,
        )["id"]
        runs.append(as_json(api_url, "runs", "simulate", round_id)["run_id"])
    diff = api(api_url, f"/runs/diff?a={runs[0]}&b={runs[1]}")
    assert diff["gainers"] and diff["losers"]
    shown = grants(api_url, "runs", "diff", *runs, "--limit", "3")
    assert shown.exit_code == 0 and f"Gainers ({len(diff['gainers'])})" in shown.output
    assert diff["gainers"][0]["application_id"] in shown.output and "By IMD decile" in shown.output


def test_problems_exit_1_with_the_problem_title(api_url: str, sessions: sessionmaker[Session]) -> None:
    missing = grants(api_url, "why", "nope")
    assert missing.exit_code == 1 and "404 No committed decision" in missing.output
    assert "404 No such run" in grants(api_url, "runs", "verify", "nope").output
    refused = grants(
        api_url, "rounds", "open", "--name", "R", "--budget", "1m", "--min-award", "2m", "--max-award", "3m"
    )
    assert refused.exit_code == 1 and "422" in refused.output
    applicant = bearer(Role.APPLICANT, organisation_id="org-1")["Authorization"].split()[1]
    forbidden = grants(api_url, "rounds", "list", "--token", applicant)
    assert forbidden.exit_code == 1 and "403 Your role may not do this" in forbidden.output
    away = CliRunner().invoke(app, ["rounds", "list", "--base-url", "http://127.0.0.1:9"])
    assert away.exit_code == 1 and "cannot reach" in away.output
    assert as_json(api_url, "rounds", "list")["total"] == 0  # nothing was written by any refusal


def test_verify_exits_1_when_stored_decisions_were_changed(api_url: str, sessions: sessionmaker[Session]) -> None:
    seed_pool(sessions, 4)
    round_id = as_json(
        api_url, "rounds", "open", "--name", "R", "--budget", "10m", "--min-award", "1m", "--max-award", "2.5m"
    )["id"]
    run_id = as_json(api_url, "runs", "simulate", round_id)["run_id"]
    with sessions() as session:
        session.execute(update(Decision).where(Decision.run_id == run_id).values(rationale="edited"))
        session.commit()
    tampered = grants(api_url, "runs", "verify", run_id)
    assert tampered.exit_code == 1 and "NOT verified" in tampered.output


@pytest.mark.parametrize(
    ("typed", "pence"),
    [
        ("175m", 17_500_000_000),
        ("1.5m", 150_000_000),
        ("£2,500,000", 250_000_000),
        ("2500k", 250_000_000),
        ("0.01", 1),
        ("1bn", 100_000_000_000),
        ("0", 0),
    ],
)
def test_amounts_in_pounds_become_exact_pence(typed: str, pence: int) -> None:
    assert parse_pounds(typed) == pence


@pytest.mark.parametrize("typed", ["0.001", "1.5x", "m", "", "-1m", "1e3"])
def test_amounts_that_are_not_whole_pence_are_refused(typed: str, tmp_path: Path) -> None:
    with pytest.raises(typer.BadParameter):
        parse_pounds(typed)
