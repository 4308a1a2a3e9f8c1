"""Every command on an unprepared machine: a clear line naming what to do and a non-zero exit, never a traceback.

Each runs against an empty var folder (no database migrated), a Redis address where nothing listens and a reference
data folder that does not exist: in this process through typer's runner (the steps a command starts, such as the
ledger check, are real processes), and the --debug cases as the operator runs them, `python -m grants_cli.main`.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grants_cli.main import app

NOBODY = "http://127.0.0.1:1"  # a loopback port nothing listens on
CASES = {
    "ledger check": (
        ["ledger", "check"],
        "payments database at sqlite:///{var}/payments.db is not migrated: run `grants migrate payments`",
    ),
    "outbox replay": (
        ["outbox", "replay", "reporting"],
        "reporting database at sqlite:///{var}/reporting.db is not migrated",
    ),
    "outbox replay, every service": (["outbox", "replay"], "is not migrated: run `grants migrate applications`"),
    "dlq list": (["dlq", "list"], "cannot reach Redis at redis://127.0.0.1:1/0"),
    "dlq replay": (["dlq", "replay", "allocation", "1-0"], "cannot reach Redis at redis://127.0.0.1:1/0"),
    "run, Redis down": (["run", "--var-dir", "{var}"], "cannot reach Redis at redis://127.0.0.1:1/0 (REDIS_URL)"),
    "run, no reference data": (["run", "--var-dir", "{var}"], "reference data folder {missing} does not exist"),
    "token for an org-id": (
        ["token", "--role", "applicant", "--organisation", "GB-CHC-1234567"],
        "applications database at sqlite:///{var}/applications.db does not exist",
    ),
    "demo": (["demo", "--base", "http://127.0.0.2"], "cannot reach the platform's API: is it running (`grants run`)?"),
    "rounds list": (["rounds", "list", "--base-url", NOBODY], f"cannot reach {NOBODY}"),
    "runs simulate": (["runs", "simulate", "r1", "--base-url", NOBODY], f"cannot reach {NOBODY}"),
    "why": (["why", "a1", "--base-url", NOBODY], f"cannot reach {NOBODY}"),
    "data import": (["data", "import", "{missing}"], "does not exist"),
    "example allocation": (
        ["example", "allocation", "--reference-data", "{missing}"],
        "reference data folder {missing} does not exist",
    ),
    "soak on PostgreSQL without a server": (
        ["soak", "--short", "--backend", "postgresql", "--var-dir", "{var}"],
        "--backend postgresql needs --postgres-url",
    ),
    "migrate an unknown service": (["migrate", "banking"], "unknown service(s) banking"),
    "outbox replay since nonsense": (["outbox", "replay", "--since", "yesterday"], "is not an ISO date"),
    "ledger check, database server down": (
        ["ledger", "check"],
        "cannot reach the payments database at "
        "postgresql+psycopg://cwf:***@127.0.0.1:1/payments: is the database server "
        "running? check PAYMENTS_DATABASE_URL",
    ),
}
ENV = {
    "run, no reference data": {"REDIS_URL": ""},
    "run, Redis down": {"GRANTS_REFERENCE_DATA_DIR": ""},
    "ledger check, database server down": {"PAYMENTS_DATABASE_URL": "postgresql+psycopg://cwf:pw@127.0.0.1:1/payments"},
}


def unprepared(tmp_path: Path, **extra: str) -> dict[str, str]:
    """An environment naming an empty var folder, a dead Redis and a missing reference data folder."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.endswith("_DATABASE_URL")
        and k not in ("GRANTS_DEBUG", "GRANTS_SOAK_POSTGRES_URL", "GRANTS_TOKEN", "GRANTS_ALLOCATION_URL")
    }
    return {
        **env,
        "GRANTS_VAR_DIR": str(tmp_path / "var"),
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "GRANTS_REFERENCE_DATA_DIR": str(tmp_path / "no-such-data"),
        "COLUMNS": "300",
        **extra,
    }


def grants(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`grants ARGS` in its own process."""
    return subprocess.run(
        [sys.executable, "-m", "grants_cli.main", *args], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_command_on_an_unprepared_machine_says_what_to_do(case: str, tmp_path: Path) -> None:
    args, expected = CASES[case]
    names = {"var": str((tmp_path / "var").resolve()), "missing": str(tmp_path / "no-such-data")}
    done = CliRunner().invoke(app, [a.format(**names) for a in args], env=unprepared(tmp_path, **ENV.get(case, {})))
    assert done.exit_code != 0, done.output
    assert isinstance(done.exception, SystemExit), done.exception  # an exit, not an exception escaping the command
    assert " ".join(expected.format(**names).split()) in " ".join(done.output.split()), done.output
    assert "Traceback" not in done.output and 'File "' not in done.output, done.output


def test_debug_shows_the_traceback_the_boundary_keeps_back(tmp_path: Path) -> None:
    done = grants(["--debug", "ledger", "check"], unprepared(tmp_path))
    assert done.returncode != 0 and "Traceback (most recent call last)" in done.stderr
    assert "no such table" in done.stderr


def test_grants_debug_in_the_environment_lets_the_error_through(tmp_path: Path) -> None:
    done = CliRunner().invoke(app, ["dlq", "list"], env=unprepared(tmp_path, GRANTS_DEBUG="1"))
    assert done.exit_code != 0 and type(done.exception).__name__ == "ConnectionError", done.exception


def test_an_unexpected_failure_names_itself_in_one_line(tmp_path: Path) -> None:
    done = CliRunner().invoke(app, ["demo", "--base", "http://127.0.0.1:1"], env=unprepared(tmp_path))  # two ports
    assert done.exit_code == 1 and isinstance(done.exception, SystemExit)
    assert "InvalidURL" in done.output and "--debug" in done.output and "Traceback" not in done.output
    assert len(done.output.strip().splitlines()) == 1, done.output
