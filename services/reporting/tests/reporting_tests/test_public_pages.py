"""The public pages at fund scale: the figures add up, nothing personal shows, unknown wards are 404, answers cache."""

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.money import format_gbp

from .conftest import ASSESSOR, FINANCE, OPERATOR, problem
from .fund_scale import FundRun, fund_run, project, wards
from .test_reports_api import OUTCOMES, report_body

GRANTS, PASSED_OVER = 100, 10


@pytest.fixture
def run(sessions: sessionmaker[Session]) -> Iterator[FundRun]:
    """100 grants to left-behind wards and 10 applications passed over, projected."""
    fund, events = fund_run(GRANTS, PASSED_OVER)
    project(sessions, events)
    yield fund


def accepted_report(client: TestClient, grant_id: str) -> None:
    """An operator reports period 1 of the grant and an assessor accepts it."""
    created = client.post("/reports", json=report_body(grant_id=grant_id), headers=OPERATOR)
    assert created.status_code == 201, created.text
    assert client.post(f"/reports/{created.json()['id']}/accept", headers=ASSESSOR).status_code == 200


def assert_accessible(html: str) -> None:
    """One h1, headings in order, a language, a skip link, and every table captioned with scoped headers."""
    assert html.count("<h1>") == 1 and re.search(r'<html lang="en', html)
    levels = [int(level) for level in re.findall(r"<h([1-6])[ >]", html)]
    assert levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), levels
    assert 'href="#main"' in html and 'id="main"' in html
    assert html.count("<table>") == html.count("<caption>")
    assert "<th>" not in html and "<script" not in html


def test_the_fund_page_adds_up_to_the_penny(client: TestClient, run: FundRun) -> None:
    accepted_report(client, run.awarded[0].grant_id)
    fund = client.get("/public/api/fund").json()
    position = client.get("/fund/position", headers=FINANCE).json()
    paid = sum(s.tranche_amount for s in run.awarded)
    returned = sum(s.tranche_amount for s in run.awarded if s.n % 9 == 0)
    assert fund["committed_pence"] == position["committed_pence"] == sum(s.amount for s in run.awarded)
    assert fund["paid_net_pence"] == paid - returned == position["paid_net_pence"]
    assert (fund["grants"], fund["neighbourhoods_funded"]) == (GRANTS, GRANTS)
    assert (fund["applications"], fund["neighbourhoods_applied"]) == (GRANTS + PASSED_OVER, GRANTS + PASSED_OVER)
    assert fund["accepted_reports"] == 1 and fund["outcomes"]["residents_engaged"] == OUTCOMES["residents_engaged"]
    assert sum(n["awarded_pence"] for n in fund["neighbourhoods"]) == fund["committed_pence"]

    page = client.get("/public/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert_accessible(html)
    assert f'id="committed">{format_gbp(fund["committed_pence"])}<' in html
    assert f'id="paid-net">{format_gbp(fund["paid_net_pence"])}<' in html
    assert f'id="grants">{GRANTS}<' in html and html.count('href="/public/neighbourhoods/') == GRANTS
    assert "org-" not in html and "@" not in html and "p-1" not in html  # no organisation, person or partnership


def test_a_neighbourhood_page_says_what_it_applied_for_got_and_reported(client: TestClient, run: FundRun) -> None:
    story = run.awarded[0]
    assert story.ward is not None
    accepted_report(client, story.grant_id)
    answer = client.get(f"/public/api/neighbourhoods/{story.ward.code}").json()
    assert answer["name"] == story.ward.name and answer["applied"] is True
    assert [d["outcome"] for d in answer["decisions"]] == ["awarded"] and "Ranked 1" in answer["decisions"][0][
        "rationale"
    ]
    assert answer["awarded_pence"] == story.amount and answer["paid_net_pence"] == story.tranche_amount
    assert {o["indicator"]: o["value"] for o in answer["outcomes"]} == OUTCOMES

    html = client.get(f"/public/neighbourhoods/{story.ward.code}").text
    assert_accessible(html)
    assert story.ward.name in html and "Ranked 1 of the round" in html
    assert f'id="awarded">{format_gbp(story.amount)}<' in html
    assert f'id="paid-net">{format_gbp(story.tranche_amount)}<' in html
    assert "Residents engaged" in html and "340" in html


def test_a_neighbourhood_passed_over_shows_why(client: TestClient, run: FundRun) -> None:
    ward = run.passed_over[0].ward
    assert ward is not None
    answer = client.get(f"/public/api/neighbourhoods/{ward.code.lower()}").json()  # codes are case-blind
    assert answer["applied"] and answer["awarded_pence"] == 0 and answer["grants"] == []
    assert answer["decisions"][0]["outcome"] == "not_awarded"
    html = client.get(f"/public/neighbourhoods/{ward.code}").text
    assert "Not awarded" in html and "spent on neighbourhoods in greater need" in html


def test_a_ward_that_never_applied_and_an_unknown_code(client: TestClient, run: FundRun) -> None:
    if run.awarded[0].ward and run.awarded[0].ward.code.startswith("E0599"):
        pytest.skip("GRANTS_REFERENCE_DATA_DIR is not set: no ward list to know a ward that never applied")
    quiet = wards(GRANTS + PASSED_OVER + 1)[-1]
    page = client.get(f"/public/neighbourhoods/{quiet.code}")
    assert page.status_code == 200 and "has not applied to the fund" in page.text and quiet.name in page.text
    missing = client.get("/public/neighbourhoods/E05999999")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert_accessible(missing.text)
    problem(client.get("/public/api/neighbourhoods/E05999999"), 404, "not-found")
    assert client.get("/public/neighbourhoods/E05%3Cscript%3E").status_code == 422  # only letters and digits


def test_public_answers_are_cached_with_an_etag(client: TestClient, run: FundRun) -> None:
    first = client.get("/public/")
    tag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, max-age=60" and tag.startswith('"')
    again = client.get("/public/", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag
    assert client.get("/public/", headers={"If-None-Match": '"other"'}).status_code == 200
