"""`grants token --organisation` takes the organisation's id or its 360Giving org-id, read from applications."""

import io
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from applications.adapters.orm import Organisation
from grants_cli.child import relay
from grants_cli.main import app
from grants_shared import auth
from grants_shared.db import migrate
from grants_shared.settings import PlatformSettings

ORG_ID = "GB-CHC-1234567"


@pytest.fixture
def var_dir(tmp_path: Path) -> Path:
    """A var folder whose applications database is migrated and holds one organisation, ORG_ID, as 'org-7'."""
    url = f"sqlite:///{tmp_path / 'applications.db'}"
    migrate(url, "applications")
    engine = create_engine(url)
    with Session(engine) as session, session.begin():
        now = datetime.now(UTC)
        session.add(
            Organisation(
                id="org-7",
                name="Trust",
                org_id=ORG_ID,
                fund_holding=True,
                due_diligence="passed",
                created_at=now,
                updated_at=now,
            )
        )
    engine.dispose()
    return tmp_path


def token(var_dir: Path, organisation: str) -> tuple[int, str]:
    """Run `grants token --role applicant --organisation ORGANISATION` on that var folder."""
    done = CliRunner().invoke(
        app,
        ["token", "--role", "applicant", "--organisation", organisation],
        env={"GRANTS_VAR_DIR": str(var_dir), "APPLICATIONS_DATABASE_URL": "", "COLUMNS": "200"},
    )
    return done.exit_code, done.output


def organisation_in(output: str) -> str | None:
    """The organisation the printed token carries, as the services read it."""
    return auth.decode_token(PlatformSettings(), output.strip()).organisation_id


@pytest.mark.parametrize("given", [ORG_ID, "gb-chc-1234567", f" {ORG_ID} "])
def test_an_org_id_is_resolved_to_the_organisations_id(var_dir: Path, given: str) -> None:
    code, output = token(var_dir, given)
    assert code == 0, output
    assert organisation_in(output) == "org-7"


def test_an_organisation_id_is_carried_as_given(var_dir: Path) -> None:
    code, output = token(var_dir, "3d5c56a4-6b1e-4c43-9a57-2f8b5e1c0d11")
    assert code == 0 and organisation_in(output) == "3d5c56a4-6b1e-4c43-9a57-2f8b5e1c0d11"


def test_an_unknown_org_id_is_a_usage_error_naming_it(var_dir: Path) -> None:
    code, output = token(var_dir, "GB-CHC-7654321")
    assert code == 2 and "no organisation with org-id GB-CHC-7654321" in " ".join(output.split())
    assert "Traceback" not in output


def test_a_step_s_output_is_shown_up_to_its_traceback() -> None:
    read, write = os.pipe()
    os.write(write, b'loading 3 files\nTraceback (most recent call last):\n  File "x.py"\nValueError: bad\n')
    os.close(write)
    shown = io.StringIO()
    with os.fdopen(read, "rb") as source:
        everything = relay(source, shown)
    assert shown.getvalue() == "loading 3 files\n" and everything.endswith("ValueError: bad\n")


@pytest.mark.parametrize("issuer", ["http://127.0.0.1:1/realms/cwf", ""])
def test_grants_token_refuses_to_mint_in_production(issuer: str) -> None:
    env = {
        "GRANTS_ENV": "production",
        "GRANTS_JWT_SECRET": "a-real-production-secret-0123456789abcdef",
        "GRANTS_OIDC_ISSUER": issuer,
        "COLUMNS": "200",
    }
    done = CliRunner().invoke(app, ["token", "--role", "finance_approver"], env=env)
    assert done.exit_code == 1, done.output
    said = " ".join(done.output.split())
    assert "mints development tokens only, and GRANTS_ENV is production" in said
    assert "eyJ" not in done.output and "Traceback" not in done.output  # no token, no stack
