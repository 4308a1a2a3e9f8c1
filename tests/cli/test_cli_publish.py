"""`grants publish 360giving`: the reporting database's grants written as JSON, CSV or XLSX by the real command, checked
against the 360Giving standard when GRANTS_REFERENCE_DATA_DIR holds it, and a clear line when it cannot run."""

import csv
import io
import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from grants_shared.db import make_engine, migrate, session_factory
from grants_shared.delivery.apply import apply_envelopes
from grants_shared.delivery.messages import Route
from grants_shared.events import (
    ApplicationAssessed,
    ApplicationSubmitted,
    GrantAwarded,
    NeighbourhoodNeed,
    PaymentInstructed,
    PaymentSettled,
    RoundOpened,
    TrancheScheduled,
    wrap,
)
from grants_shared.events.applications import LsoaRef
from reporting.consumers.events import consumed

AT = datetime(2026, 4, 1, 10, 0, tzinfo=UTC)


def _grant_life(n: int) -> list[Any]:
    grant, app = f"grant-{n}", f"app-{n}"
    need = NeighbourhoodNeed(
        code="E05001595", name="Norton South", region_code="E12000002", region_name="North West", population=6663,
        imd_decile=1, vintage="IoD2019", lad_code="E06000006", lad_name="Halton",
        lsoas=[LsoaRef(code="E01012345", name="Halton 001A")],
    )  # fmt: skip
    events = [
        ApplicationSubmitted(
            application_id=app, version=1, organisation_id=f"org-{n}", partnership_id=f"p-{n}",
            neighbourhood_code=need.code, requested_pence=80_000_001, duration_months=60, themes=["civic_life"],
            submitted_at=AT, organisation_org_id=f"GB-CHC-{1_200_000 + n}", organisation_name=f"Trust {n}",
        ),
        ApplicationAssessed(
            application_id=app, organisation_id=f"org-{n}", partnership_id=f"p-{n}", eligible=True, outcomes=[],
            rules_version="1", requested_pence=80_000_001, duration_months=60, neighbourhood=need, assessed_at=AT,
        ),
        GrantAwarded(
            grant_id=grant, round_id="round-1", run_id="run-1", application_id=app, organisation_id=f"org-{n}",
            partnership_id=f"p-{n}", neighbourhood_code=need.code, region_code=need.region_code, imd_decile=1,
            amount_pence=80_000_001, duration_months=60, awarded_at=AT,
        ),
        TrancheScheduled(
            grant_id=grant, tranche_id=f"{grant}-t1", number=1, of_tranches=2, due_on=date(2026, 4, 1),
            amount_pence=40_000_000,
        ),
        PaymentInstructed(
            grant_id=grant, tranche_id=f"{grant}-t1", instruction_id=f"{grant}-i1", provider="sandbox",
            provider_payment_id=f"pp-{n}", amount_pence=40_000_000, instructed_at=AT,
        ),
        PaymentSettled(
            grant_id=grant, tranche_id=f"{grant}-t1", instruction_id=f"{grant}-i1", amount_pence=40_000_000,
            settled_at=AT,
        ),
    ]  # fmt: skip
    return [wrap(e, subject=grant if "grant_id" in type(e).model_fields else app, occurred_at=AT) for e in events]


@pytest.fixture
def reporting_db(tmp_path: Path) -> str:
    """A migrated reporting database holding three grants, each with its first tranche paid."""
    url = f"sqlite:///{tmp_path / 'reporting.db'}"
    migrate(url, "reporting")
    engine = make_engine(url)
    opened = RoundOpened(
        round_id="round-1", name="Round 1", budget_pence=10**10, min_award_pence=1, max_award_pence=10**9, opened_at=AT
    )
    envelopes = [wrap(opened, subject="round-1", occurred_at=AT), *(e for n in (1, 2, 3) for e in _grant_life(n))]
    apply_envelopes(session_factory(engine), "reporting", [Route(e, h) for e, h in consumed()], envelopes)
    engine.dispose()
    return url


def publish(tmp_path: Path, args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    """`grants publish 360giving ARGS` in its own process, as an operator runs it."""
    base = {k: v for k, v in os.environ.items() if not k.endswith("_DATABASE_URL") and k != "GRANTS_DEBUG"}
    return subprocess.run(
        [sys.executable, "-m", "grants_cli.main", "publish", "360giving", *args],
        env={**base, "GRANTS_VAR_DIR": str(tmp_path / "var"), "COLUMNS": "300", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_command_writes_each_format(tmp_path: Path, reporting_db: str) -> None:
    for fmt in ("json", "csv", "xlsx"):
        out = tmp_path / f"grants.{fmt}"
        done = publish(tmp_path, ["--out", str(out)], REPORTING_DATABASE_URL=reporting_db)
        assert done.returncode == 0, done.stderr
        assert f"3 grants written to {out} ({fmt};" in done.stdout
        if os.environ.get("GRANTS_REFERENCE_DATA_DIR"):
            assert "0 problems against the 360Giving standard" in done.stdout
    package = json.loads((tmp_path / "grants.json").read_text(encoding="utf-8"))
    ids = [g["id"] for g in package["grants"]]
    assert ids == ["360G-CWF-grant-1", "360G-CWF-grant-2", "360G-CWF-grant-3"]
    assert {g["amountAwarded"] for g in package["grants"]} == {800_000.01}
    rows = list(csv.DictReader(io.StringIO((tmp_path / "grants.csv").read_text(encoding="utf-8-sig"))))
    assert [(r["Identifier"], r["Recipient Org:Identifier"]) for r in rows] == [
        (i, f"GB-CHC-{1_200_000 + n}") for n, i in enumerate(ids, start=1)
    ]
    sheet = load_workbook(tmp_path / "grants.xlsx", read_only=True)["grants"]
    header, *body = list(sheet.iter_rows(values_only=True))
    assert [row[header.index("Disbursement Transaction:0:Value")] for row in body] == [400_000] * 3


def test_the_format_is_asked_for_when_the_suffix_does_not_say(tmp_path: Path) -> None:
    done = publish(tmp_path, ["--out", str(tmp_path / "grants.txt")])
    assert done.returncode == 1 and "give --format json, csv or xlsx" in done.stdout + done.stderr


def test_an_unmigrated_database_is_named_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "var").mkdir()
    done = publish(tmp_path, ["--out", str(tmp_path / "grants.json")])
    said = done.stdout + done.stderr
    assert done.returncode != 0 and "reporting.db is not migrated" in said, said
    assert "Traceback" not in said and not (tmp_path / "grants.json").exists()


def test_a_package_the_standard_refuses_is_not_written(tmp_path: Path, reporting_db: str) -> None:
    if not os.environ.get("GRANTS_REFERENCE_DATA_DIR"):
        pytest.skip("GRANTS_REFERENCE_DATA_DIR is not set: nothing to check the package against")
    out = tmp_path / "grants.json"
    done = publish(
        tmp_path, ["--out", str(out)], REPORTING_DATABASE_URL=reporting_db, REPORTING_360GIVING_FUNDER_ORG_ID="CWF"
    )
    said = done.stdout + done.stderr
    assert done.returncode != 0 and not out.exists(), said
    assert "grants/0/fundingOrganization/0/id: 'CWF' is not an org-id (e.g. GB-CHC-1234567)" in said
    assert "3 problem(s) against the 360Giving standard" in said
