"""The dashboard's new sections at fund scale: least first against population, held tranches, reports due, lists."""

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.events import wrap
from grants_shared.money import format_gbp
from reporting.domain.position import share_bp

from .conftest import problem
from .fund_scale import FundRun, fund_run, project
from .story import T0, Story, deliver
from .test_public_pages import accepted_report

GRANTS = 100


@pytest.fixture
def run(sessions: sessionmaker[Session]) -> Iterator[FundRun]:
    """100 grants to left-behind wards, projected."""
    fund, events = fund_run(GRANTS, 0)
    project(sessions, events)
    yield fund


def test_held_tranches_are_listed_with_their_reasons(client: TestClient, run: FundRun) -> None:
    held = [s for s in run.awarded if s.n % 7 == 0]
    figures = client.get("/dashboard/figures", params={"as_of": "2026-06-15"}).json()
    assert figures["held_tranches"] == len(held)
    assert figures["held_tranches_pence"] == sum(s.tranche_amount for s in held)
    rows = client.get("/dashboard/lists/held-tranches", params={"format": "json"}).json()["rows"]
    assert [r["grant_id"] for r in rows] == sorted(s.grant_id for s in held)  # one due date, then by id
    assert all(r["reasons"] == ["report not accepted"] and r["number"] == 2 for r in rows)
    page = client.get("/dashboard/lists/held-tranches").text
    assert page.count("<tr>") == len(held) + 1 and "report not accepted" in page


def test_reports_due_then_overdue_until_they_come_in(client: TestClient, run: FundRun) -> None:
    accepted_report(client, run.awarded[0].grant_id)
    early = client.get("/dashboard/figures", params={"as_of": "2026-06-15"}).json()
    assert (early["reports_due"], early["reports_overdue"]) == (GRANTS - 1, 0)  # tranche 2 falls due on 1 July
    late = client.get("/dashboard/figures", params={"as_of": "2026-07-02"}).json()
    assert (late["reports_due"], late["reports_overdue"]) == (0, GRANTS - 1)
    overdue = client.get("/dashboard/lists/reports-overdue", params={"format": "json", "as_of": "2026-07-02"}).json()
    assert {r["grant_id"] for r in overdue["rows"]} == {s.grant_id for s in run.awarded[1:]}
    assert {r["period_number"] for r in overdue["rows"]} == {1}
    page = client.get("/dashboard", params={"as_of": "2026-07-02"}).text
    assert f'<a id="figure-reports-overdue" href="/dashboard/lists/reports-overdue">{GRANTS - 1}</a>' in page


def test_least_first_is_set_beside_the_people_living_there(client: TestClient, run: FundRun) -> None:
    share = client.get("/dashboard/figures").json()["share_against_population"]
    deciles = {row["key"]: row for row in share["by_decile"]}
    in_decile_1 = [s for s in run.awarded if s.decile == 1]
    committed = sum(s.amount for s in run.awarded)
    assert deciles["1"]["grants"] == len(in_decile_1)
    assert deciles["1"]["money_share_bp"] == share_bp(sum(s.amount for s in in_decile_1), committed)
    assert deciles["1"]["grants_share_bp"] == share_bp(len(in_decile_1), GRANTS)
    if share["population_source"] is None:
        pytest.skip("GRANTS_REFERENCE_DATA_DIR is not set: no population to compare with")
    people = sum(row["people"] for row in share["by_decile"])
    assert people == sum(row["people"] for row in share["by_region"]) > 50_000_000  # England, mid-2015
    assert 900 <= deciles["1"]["people_share_bp"] <= 1100  # deciles hold about a tenth of the people each
    regions = {row["key"]: row for row in share["by_region"]}
    assert regions["E12000002"]["name"] == "North West" and len(regions) == 9
    page = client.get("/dashboard").text
    assert "North West (E12000002)" in page and f"{deciles['1']['people']:,}" in page
    assert format_gbp(deciles["1"]["committed_pence"]) in page


def test_every_linked_figure_has_its_list(client: TestClient, run: FundRun) -> None:
    page = client.get("/dashboard", params={"as_of": "2026-07-02"}).text
    links = sorted({part.split('"')[0] for part in page.split('href="/dashboard/lists/')[1:]})
    assert links == ["held-tranches", "reports-due", "reports-overdue", "tranches-due", "tranches-overdue"]
    for name in links:
        listed = client.get(f"/dashboard/lists/{name}", params={"as_of": "2026-07-02"})
        assert listed.status_code == 200 and listed.text.count("<h1>") == 1, name
    due = client.get("/dashboard/lists/tranches-due", params={"format": "json", "as_of": "2026-07-02"}).json()
    position = client.get("/dashboard/figures", params={"as_of": "2026-07-02"}).json()
    returned = [s for s in run.awarded if s.n % 9 == 0]  # their tranche 1 came back: owed again
    assert len(due["rows"]) == GRANTS + len(returned) and position["as_of"] == "2026-07-02"
    problem(client.get("/dashboard/lists/everything"), 422)


def test_a_hold_keeps_its_latest_reasons_and_a_resumed_tranche_leaves_the_list(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    story = Story(n=1)
    for envelope in [story.round_opened(), *story.up_to_award(), story.scheduled(1, date(2026, 2, 1))]:
        deliver(sessions, envelope)
    first, later = story.held(1), story.held(1)
    later = wrap(
        later.payload.model_copy(update={"reasons": ["bank details being checked"], "held_at": T0 + timedelta(days=2)}),
        subject=later.subject,
        occurred_at=later.occurred_at,
    )
    deliver(sessions, later)
    deliver(sessions, first)  # older, arriving late: its reasons do not replace the newer ones
    rows = client.get("/dashboard/lists/held-tranches", params={"format": "json"}).json()["rows"]
    assert [(r["tranche_id"], r["reasons"]) for r in rows] == [(story.tranche_id(1), ["bank details being checked"])]
    deliver(sessions, story.resumed(1))
    assert client.get("/dashboard/lists/held-tranches", params={"format": "json"}).json()["rows"] == []
