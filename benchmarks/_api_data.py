"""Realistic data for the API benchmark: a reporting database with 10,000 grants of 30 tranches, and the
applications service on the official registry with an organisation and its partnership ready to apply.
"""

import json
import os
import random
import subprocess
import sys
import urllib.request
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert

from grants_shared.db import make_engine, migrate
from grants_shared.delivery.progress import record_progress
from grants_shared.uow import UnitOfWork
from reporting.adapters.orm import Application, Grant, ImpactReport, ReportIndicator, Round, Tranche
from reporting.domain.indicators import INDICATORS

GRANTS = 10_000
TRANCHES = 30
REGIONS = [
    "E12000001",
    "E12000002",
    "E12000003",
    "E12000004",
    "E12000005",
    "E12000006",
    "E12000007",
    "E12000008",
    "E12000009",
]


def _grant_rows(rng: random.Random, now: datetime) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    grants, tranches = [], []
    start = date(2025, 1, 1)
    for g in range(GRANTS):
        amount = rng.randrange(100_000_000, 250_000_000, 30)
        first = start + timedelta(days=rng.randrange(0, 365))
        paid_count = rng.randrange(0, 8)
        per = amount // TRANCHES
        grant_id = f"grant-{g:05d}"
        grants.append(
            {
                "grant_id": grant_id,
                "application_id": f"app-{g:05d}",
                "round_id": f"round-{g % 3}",
                "organisation_id": f"org-{g % 2000}",
                "partnership_id": f"p-{g:05d}",
                "neighbourhood_code": f"E05{g:06d}",
                "region_code": REGIONS[g % len(REGIONS)],
                "imd_decile": 1 + g % 10,
                "amount_pence": amount,
                "amount_at": now,
                "duration_months": 120,
                "paid_pence": per * paid_count,
                "returned_pence": 0,
                "released_pence": 0,
                "status": "active",
                "awarded_at": now,
                "completed_at": None,
            }
        )
        for n in range(1, TRANCHES + 1):
            status = "settled" if n <= paid_count else "scheduled"
            tranches.append(
                {
                    "tranche_id": f"{grant_id}-t{n}",
                    "grant_id": grant_id,
                    "number": n,
                    "of_tranches": TRANCHES,
                    "due_on": first + timedelta(days=120 * (n - 1)),
                    "amount_pence": per,
                    "varied_at": None,
                    "status": status,
                    "status_rank": 6 if status == "settled" else 0,
                    "status_at": now,
                }
            )
    return grants, tranches


def _report_rows(rng: random.Random, now: datetime) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    reports, indicators = [], []
    for r in range(3_000):
        report_id = f"report-{r:05d}"
        grant = f"grant-{rng.randrange(GRANTS):05d}"
        outcomes = {name: rng.randrange(0, 50) for name in INDICATORS}
        reports.append(
            {
                "id": report_id,
                "grant_id": grant,
                "organisation_id": "org-1",
                "period_number": 1 + r // GRANTS,
                "outcomes": outcomes,
                "narrative": "A year of work.",
                "status": "accepted",
                "live_key": f"{report_id}-1",
                "submitted_by": "someone",
                "submitted_at": now,
                "reviewed_by": "assessor",
                "reviewed_at": now,
                "change_reasons": None,
            }
        )
        indicators += [{"report_id": report_id, "indicator": name, "value": v} for name, v in outcomes.items()]
    return reports, indicators


def load_reporting(url: str, seed: int = 9) -> None:
    """Migrate reporting's database and fill it: rounds, 10,000 grants of 30 tranches, applications, reports."""
    migrate(url, "reporting")
    rng, now = random.Random(seed), datetime.now(UTC)
    grants, tranches = _grant_rows(rng, now)
    reports, indicators = _report_rows(rng, now)
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(
            insert(Round),
            [
                {
                    "round_id": f"round-{i}",
                    "name": f"Round {i}",
                    "budget_pence": 17_500_000_000_00,
                    "opened_at": now,
                    "closed_at": None,
                }
                for i in range(3)
            ],
        )
        connection.execute(insert(Grant), grants)
        for i in range(0, len(tranches), 20_000):
            connection.execute(insert(Tranche), tranches[i : i + 20_000])
        connection.execute(
            insert(Application),
            [
                {
                    "application_id": g["application_id"],
                    "organisation_id": g["organisation_id"],
                    "neighbourhood_code": g["neighbourhood_code"],
                    "status": "awarded",
                    "status_rank": 2,
                    "status_at": now,
                }
                for g in grants
            ],
        )
        connection.execute(insert(ImpactReport), reports)
        connection.execute(insert(ReportIndicator), indicators)
    from sqlalchemy.orm import sessionmaker

    with UnitOfWork(sessionmaker(engine)) as uow:
        record_progress(uow.session, "reporting", len(grants), now, now)
        uow.commit()
    engine.dispose()


def load_registry(url: str) -> None:
    """Migrate applications' database and load the official registry from GRANTS_REFERENCE_DATA_DIR."""
    migrate(url, "applications")
    folder = os.environ.get("GRANTS_REFERENCE_DATA_DIR")
    if not folder:
        raise SystemExit("GRANTS_REFERENCE_DATA_DIR must name the reference data folder (the official registry)")
    env = {**os.environ, "APPLICATIONS_DATABASE_URL": url}
    subprocess.run(
        [sys.executable, "-m", "applications.registry_load", "--dir", folder],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def call(port: int, method: str, path: str, token: str, body: Any = None) -> Any:
    """One JSON call to a local API (set-up only; the load generator measures the rest)."""
    data = None if body is None else json.dumps(body).encode()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, headers=headers, method=method)
    with urllib.request.urlopen(req, timeout=30) as response:
        return json.loads(response.read())


def applicant(port: int, operator: str, mint: Any) -> tuple[str, str]:
    """An organisation that passed due diligence and its partnership in a left-behind ward: (token, partnership)."""
    org = call(
        port,
        "POST",
        "/organisations",
        operator,
        {"name": "Bench Trust", "org_id": "GB-CHC-9000001", "fund_holding": True, "due_diligence": "passed"},
    )
    token = mint(org["id"])
    ward = call(port, "GET", "/neighbourhoods?left_behind=true&limit=1", token)["items"][0]["code"]
    members = [{"name": f"Member {i}", "resident": i < 4, "joined_on": "2024-01-15"} for i in range(8)]
    partnership = call(
        port,
        "POST",
        "/partnerships",
        token,
        {"organisation_id": org["id"], "name": f"Residents of {ward}", "neighbourhood_code": ward, "members": members},
    )
    return token, partnership["id"]
