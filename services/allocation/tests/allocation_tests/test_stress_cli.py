"""`grants stress` and `grants runs simulate --plan` against the allocation API running as a real process."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import Result
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from allocation_tests.kit import bearer
from allocation_tests.procs import api_process, running
from allocation_tests.seed import seed_pool
from grants_cli.main import app
from grants_cli.stress_command import parse_share
from grants_shared.auth import Role
from grants_shared.drawdown import load_plan


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
    result = grants(url, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def committed_round(url: str, sessions: sessionmaker[Session]) -> dict[str, Any]:
    seed_pool(sessions, 20)
    opened = as_json(
        url, "rounds", "open", "--name", "Spring", "--budget", "10m", "--min-award", "1m", "--max-award", "2.5m"
    )
    run: dict[str, Any] = as_json(url, "runs", "commit", opened["id"])
    return run


def test_stress_lists_the_years_and_grants_at_risk(api_url: str, sessions: sessionmaker[Session]) -> None:
    run = committed_round(api_url, sessions)
    cut_from = list(load_plan().years)[1]
    args = ("stress", "--endowment-fall", "20%", "--cut-from", cut_from, "--cut", "99.99%")
    body = as_json(api_url, *args)
    assert body["years_at_risk"][0] == cut_from and body["grants_at_risk"] == run["totals"]["awards"] > 0
    query = f"endowment_fall_bps=2000&cut_bps=9999&cut_from={cut_from}"
    assert body == httpx.get(f"{api_url}/fund/stress?{query}", headers=bearer(Role.OPERATOR)).json()
    printed = grants(api_url, *args)
    assert printed.exit_code == 0 and f"Years at risk: {cut_from}" in printed.output
    assert as_json(api_url, "stress")["years_at_risk"] == []


def test_a_simulation_under_a_tighter_plan_funds_fewer(
    api_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    seed_pool(sessions, 20)
    opened = as_json(
        api_url,
        "rounds",
        "open",
        "--name",
        "What if",
        "--budget",
        "10m",
        "--min-award",
        "1m",
        "--max-award",
        "2.5m",
        "--scenario",
    )
    assert opened["scenario"] is True
    plan = tmp_path / "tight.json"
    plan.write_text(json.dumps({"years": dict.fromkeys(load_plan().years, 50_000_000)}))
    tight = as_json(api_url, "runs", "simulate", opened["id"], "--plan", str(plan))
    usual = as_json(api_url, "runs", "simulate", opened["id"])
    assert 0 < tight["totals"]["awards"] < usual["totals"]["awards"]


def test_shares_are_read_as_basis_points() -> None:
    assert [parse_share(s) for s in ("20%", "12.5", "0%", "100%", "99.99%")] == [2000, 1250, 0, 10_000, 9999]
