"""`grants` starts without loading the services' stack, and its token is one the services accept."""

import os
import subprocess
import sys

import typer.main

from grants_cli import system
from grants_cli.main import SERVICES, app
from grants_cli.tokens import Role, mint
from grants_shared import auth
from grants_shared.settings import PlatformSettings

HEAVY = {
    "sqlalchemy",
    "faststream",
    "fastapi",
    "redis",
    "payments",
    "reporting",
    "allocation",
    "applications",
    "numpy",
    "opentelemetry",
    "httpx",
    "alembic",
    "pydantic",
}


def loaded_by(statement: str) -> list[str]:
    """The heavy top-level packages in sys.modules after running `statement` in a fresh interpreter."""
    code = f"import sys; {statement}; print(sorted({{m.split('.')[0] for m in sys.modules}} & set({sorted(HEAVY)!r})))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return list(eval(done.stdout))  # a list literal printed by the child


def test_importing_the_command_line_loads_no_service_database_web_or_redis_module() -> None:
    assert loaded_by("import grants_cli.main") == []


def test_help_loads_no_heavy_module() -> None:
    assert (
        loaded_by(
            "from typer.testing import CliRunner; from grants_cli.main import app; CliRunner().invoke(app, ['--help'])"
        )
        == []
    )


def test_a_token_without_an_organisation_needs_no_database_or_web_module() -> None:
    assert set(
        loaded_by(
            "from typer.testing import CliRunner; from grants_cli.main import app; "
            "r = CliRunner().invoke(app, ['token', '--role', 'operator']); assert r.exit_code == 0"
        )
    ) <= {"pydantic"}  # the settings, for the secret


def test_the_cli_names_the_same_roles_and_services_as_the_platform() -> None:
    assert [str(r) for r in Role] == [str(r) for r in auth.Role]
    assert SERVICES == system.SERVICES


def test_a_minted_token_is_accepted_by_the_services_check() -> None:
    principal = auth.decode_token(PlatformSettings(), mint(Role.APPLICANT, "chair", "org-1"))
    assert principal.subject == "chair" and principal.roles == frozenset({auth.Role.APPLICANT})
    assert principal.organisation_id == "org-1"


def test_every_command_answers_help() -> None:
    from typer.testing import CliRunner

    paths = command_paths(typer.main.get_command(app))
    assert {"token", "ledger check", "dlq list", "runs simulate", "example allocation", "soak"} <= set(paths)
    for path in paths:
        shown = CliRunner().invoke(app, [*path.split(), "--help"], env={**os.environ, "COLUMNS": "200"})
        assert shown.exit_code == 0 and "Usage:" in shown.output, (path, shown.output)


def command_paths(group: object, prefix: str = "") -> list[str]:
    """Every runnable command below a typer group, as 'group sub'."""
    paths = []
    for name, command in getattr(group, "commands", {}).items():
        full = f"{prefix} {name}".strip()
        paths.extend(command_paths(command, full) if getattr(command, "commands", None) else [full])
    return paths
