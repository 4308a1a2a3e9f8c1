"""Demonstration and scenario rounds and grants: stored, shown by id, and counted in no fund figure."""

from datetime import date
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from grants_shared.events import GrantAwarded, RoundOpened, wrap
from reporting.adapters.orm import Grant
from reporting.read.obligations import obligations_view
from reporting.read.position import fund_position

from .story import T0, Story, deliver

Sessions = sessionmaker[Session]
DAY = date(2026, 6, 1)


def opened(round_id: str, **marks: bool) -> Any:
    payload = RoundOpened(
        round_id=round_id,
        name=round_id,
        budget_pence=5_000_000_000,
        min_award_pence=100_000_000,
        max_award_pence=250_000_000,
        opened_at=T0,
        **marks,
    )
    return wrap(payload, subject=round_id, occurred_at=T0)


def demo_award(n: int) -> Any:
    payload = GrantAwarded(
        grant_id=f"demo-{n}",
        round_id="demo-round",
        run_id="demo-run",
        application_id=f"demo-app-{n}",
        organisation_id="org-demo",
        partnership_id="p-demo",
        neighbourhood_code="W00000001",
        region_code="E12000001",
        imd_decile=1,
        amount_pence=150_000_000,
        duration_months=120,
        awarded_at=T0,
        demonstration=True,
    )
    return wrap(payload, subject=payload.grant_id, occurred_at=T0)


def figures(sessions: Sessions) -> tuple[dict[str, Any], dict[str, Any]]:
    with sessions() as session:
        position = {k: v for k, v in fund_position(session, DAY).items() if k != "demonstration"}
        obligations = {k: v for k, v in obligations_view(session).items() if k != "demonstration"}
        return position, obligations


def test_scenario_and_demonstration_rounds_and_grants_move_no_fund_figure(sessions: Sessions) -> None:
    story = Story(n=1)
    for envelope in (story.round_opened(), story.submitted(), story.assessed()):
        deliver(sessions, envelope)
    before = figures(sessions)
    assert before[0]["budget_pence"] == 1_000_000_000 and before[0]["rounds"] == 1
    deliver(sessions, opened("what-if", scenario=True))
    deliver(sessions, opened("demo-round", demonstration=True))
    for n in range(3):
        deliver(sessions, demo_award(n))
    assert figures(sessions) == before
    with sessions() as session:
        shown = fund_position(session, DAY)["demonstration"]
        grant = session.get(Grant, "demo-0")
        assert grant is not None and grant.demonstration is True
    assert shown == {"grants": 3, "committed_pence": 450_000_000, "paid_net_pence": 0}
