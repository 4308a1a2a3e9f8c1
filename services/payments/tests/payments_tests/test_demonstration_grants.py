"""Demonstration grants among the 225 left-behind wards' grants: in the ledger, labelled, in no fund figure.

Payments takes the awards as its worker would; reporting then applies the awards and everything payments published.
Every fund figure of both services is read before and after the demonstration grants arrive, and must not move.
"""

import random
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.auth import Role
from grants_shared.db import make_engine, migrate, session_factory
from grants_shared.delivery.apply import apply_envelopes
from grants_shared.events import Envelope
from payments import bootstrap
from payments_tests.kit import awarded, bearer, deliver, on_grant_awarded
from payments_tests.test_fund_obligations import REPORTING, published
from reporting.adapters.orm import Grant
from reporting.read.obligations import obligations_view
from reporting.read.outcomes import fund_outcomes_by_domain, outcome_totals
from reporting.read.position import fund_position
from reporting.read.public import public_fund
from reporting.read.publication.config import PublicationSettings
from reporting.read.publication.package import build_package
from tests.support.infra import fresh_database

Sessions = sessionmaker[Session]
WARDS = 225
DEMONSTRATIONS = 3
BATCH = 500
FINANCE = bearer(Role.FINANCE_OFFICER, subject="fiona")
DAY = date(2026, 6, 1)
ISSUED = datetime(2026, 6, 1, tzinfo=UTC)


def fund_scale_awards() -> list[Envelope[Any]]:
    """The 225 left-behind wards' grants, £1m-£2.5m over 10-15 years."""
    rng = random.Random(6)
    return [
        awarded(
            f"g-{i}",
            amount=rng.randint(100_000_000, 250_000_000),
            months=rng.choice([120, 150, 180]),
            neighbourhood_code=f"E05{i:06d}",
        )
        for i in range(WARDS)
    ]


def demonstration_awards() -> list[Envelope[Any]]:
    """A demonstration round's grants (as `grants demo` makes), one in a ward a real grant also funds."""
    return [
        awarded(
            f"demo-{i}",
            amount=150_000_000,
            months=120,
            round_id="r-demo",
            neighbourhood_code=f"E05{i:06d}",
            demonstration=True,
        )
        for i in range(DEMONSTRATIONS)
    ]


def payments_figures(client: TestClient) -> dict[str, Any]:
    """Payments' fund figures: obligations by year and the ledger's headline figures (not its account list)."""
    obligations = client.get("/fund/obligations", headers=FINANCE).json()
    balances = client.get("/ledger/balances", headers=FINANCE).json()
    headline = {k: v for k, v in balances.items() if k.endswith("_pence")}
    return {"obligations": {k: v for k, v in obligations.items() if k != "demonstration"}, "balances": headline}


def reporting_figures(session: Session) -> dict[str, Any]:
    """Every fund figure reporting computes: position, obligations, outcomes, public pages, 360Giving."""
    position = {k: v for k, v in fund_position(session, DAY).items() if k != "demonstration"}
    package = build_package(session, PublicationSettings(), now=ISSUED)
    return {
        "position": position,
        "obligations": {k: v for k, v in obligations_view(session).items() if k != "demonstration"},
        "outcomes": outcome_totals(session),
        "domains": fund_outcomes_by_domain(session),
        "public": public_fund(session),
        "published": [g["id"] for g in package["grants"]],
    }


def test_demonstration_grants_are_in_the_ledger_and_labelled_but_move_no_fund_figure(
    client: TestClient, env: str, tmp_path: Path
) -> None:
    sessions = bootstrap.sessions()
    real, demo = fund_scale_awards(), demonstration_awards()
    for award in real:
        assert deliver(sessions, award, on_grant_awarded)
    real_published = published(sessions)
    before = payments_figures(client)
    for award in demo:
        assert deliver(sessions, award, on_grant_awarded)
    demo_published = published(sessions)[len(real_published) :]

    assert payments_figures(client) == before
    shown = client.get("/ledger/balances", headers=FINANCE).json()["demonstration"]
    assert shown["committed_pence"] == DEMONSTRATIONS * 150_000_000
    owed = client.get("/fund/obligations", headers=FINANCE).json()["demonstration"]
    assert owed["total_pence"] == DEMONSTRATIONS * 150_000_000
    grant = client.get("/grants/demo-0", headers=FINANCE).json()
    assert grant["demonstration"] is True and len(grant["tranches"]) == 20
    assert client.get("/grants/g-0", headers=FINANCE).json()["demonstration"] is False
    check = client.get("/ledger/check", headers=FINANCE).json()
    assert check["ok"], check

    owed = _reporting_leaves_them_out(env, tmp_path, [*real, *real_published], [*demo, *demo_published])
    assert owed == client.get("/fund/obligations", headers=FINANCE).json()  # payments' table, to the penny


def _apply_in_batches(sessions: Sessions, envelopes: list[Envelope[Any]]) -> None:
    """Apply envelopes in order, a batch per transaction as reporting's worker does."""
    for start in range(0, len(envelopes), BATCH):
        apply_envelopes(sessions, "reporting", REPORTING, envelopes[start : start + BATCH])


def _reporting_leaves_them_out(
    database_url: str, tmp: Path, real: list[Envelope[Any]], demo: list[Envelope[Any]]
) -> dict[str, Any]:
    """Reporting's fund figures do not move when the demonstration grants' events arrive; its obligations table."""
    kind = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    with fresh_database(kind, tmp, "reportingdemo") as url:
        migrate(url, "reporting")
        engine = make_engine(url)
        try:
            reporting = session_factory(engine)
            _apply_in_batches(reporting, real)
            with reporting() as session:
                before = reporting_figures(session)
            _apply_in_batches(reporting, demo)
            with reporting() as session:
                assert reporting_figures(session) == before
                assert fund_position(session, DAY)["demonstration"]["grants"] == DEMONSTRATIONS
                assert session.get(Grant, "demo-0").demonstration is True  # type: ignore[union-attr]
                assert before["position"]["grants"] == WARDS and len(before["published"]) == WARDS
                obligations: dict[str, Any] = obligations_view(session)
            return obligations
        finally:
            engine.dispose()
