"""Obligations by financial year from the tranche read model, and the dashboard's chart of them against the plan."""

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.auth import Role
from grants_shared.drawdown import financial_year
from reporting.adapters.orm import Tranche

from .conftest import APPLICANT, auth
from .test_read_models import two_grants

OWED = ("scheduled", "held", "resumed", "released", "instructed", "failed", "returned")


@pytest.fixture
def tight_plan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A plan whose 2026-27 limit is below what the two grants still owe in it."""
    years = {"2025-26": 10**12, "2026-27": 1_000_000, "2027-28": 10**12}
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"version": "tight-1", "endowment_pence": 10**12, "years": years}))
    monkeypatch.setenv("GRANTS_DRAWDOWN_PLAN_FILE", str(path))


def test_obligations_are_the_unpaid_tranches_by_year_and_the_chart_shows_the_year_over(
    client: TestClient, sessions: sessionmaker[Session], tight_plan: None
) -> None:
    two_grants(sessions)
    with sessions() as session:
        rows = session.scalars(select(Tranche)).all()
    expected: dict[str, int] = {}
    for tranche in rows:
        if tranche.status in OWED:
            year = financial_year(tranche.due_on)
            expected[year] = expected.get(year, 0) + tranche.amount_pence
    body = client.get("/fund/obligations", headers=auth(Role.OPERATOR)).json()
    assert body["plan_version"] == "tight-1" and body["total_pence"] == sum(expected.values()) > 0
    assert {r["year"]: r["obligations_pence"] for r in body["years"] if r["obligations_pence"]} == expected
    assert [r["year"] for r in body["years"] if r["over"]] == ["2026-27"]

    page = client.get("/dashboard").text
    assert "Obligations against the drawdown plan (tight-1)" in page and "Over the plan in 2026-27." in page
    assert "<script" not in page


def test_obligations_are_for_staff(client: TestClient) -> None:
    assert client.get("/fund/obligations", headers=APPLICANT).status_code == 403
