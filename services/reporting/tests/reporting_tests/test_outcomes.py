"""Outcomes: the indicator catalogue, a grant's outcome plan, results checked against both, outcomes against the
ward's starting point, and versioned reports."""

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from grants_shared import tables
from reporting.adapters.catalogue import SHIPPED, load_catalogue
from reporting.adapters.orm import ImpactReport
from reporting.adapters.orm_outcomes import PlannedIndicator, ReportVersion
from reporting.domain.indicators import INDICATORS
from reporting.domain.outcome_progress import progress_pct

from .conftest import APPLICANT, ASSESSOR, OPERATOR, OTHER_APPLICANT, problem
from .story import Story, count, deliver
from .test_report_periods import half_years_from, scheduled_grant
from .test_reports_api import outbox

SHIPPED_JSON: dict[str, Any] = json.loads(SHIPPED.read_text())


def plan_line(indicator: str, baseline: int, target: int, **changes: Any) -> dict[str, Any]:
    """One line of an outcome plan request."""
    return {
        "indicator": indicator,
        "baseline_value": baseline,
        "baseline_on": "2025-12-01",
        "target_value": target,
        "target_by": "2028-12-01",
        **changes,
    }


PLAN = [
    plan_line("residents_engaged", 120, 520),
    plan_line("volunteers", 10, 60),
    plan_line("wellbeing_score", 44, 52),
    plan_line("lonely_residents_pct", 30, 15),
]


def results_body(period: int, outcomes: dict[str, int], grant_id: str = "grant-1") -> dict[str, Any]:
    """A report with `outcomes` as its results."""
    return {"grant_id": grant_id, "period_number": period, "outcomes": outcomes, "narrative": "We met weekly."}


def planned_grant(client: TestClient, sessions: sessionmaker[Session]) -> None:
    """grant-1 awarded two years ago, four tranches half-yearly from the award, with the PLAN set."""
    scheduled_grant(sessions, datetime(2024, 6, 1, 9, tzinfo=UTC), half_years_from(date(2024, 6, 1), 4))
    answer = client.put("/grants/grant-1/outcome-plan", json={"indicators": PLAN}, headers=APPLICANT)
    assert answer.status_code == 200, answer.text


# --- the catalogue -----------------------------------------------------------------------------------------------


def test_the_shipped_catalogue_is_valid_and_covers_the_funds_aims() -> None:
    catalogue = load_catalogue()
    codes = {i.code for i in catalogue.indicators}
    assert catalogue.version == "cwf-outcomes-2026-12"
    assert set(INDICATORS) <= codes  # the seven counts reports always carried stay valid codes
    wanted = {"volunteers", "meeting_place_opening_hours", "activities_run", "people_into_training", "wellbeing_score"}
    assert wanted <= codes
    assert {i.domain.value for i in catalogue.indicators} == {
        "education",
        "health",
        "employment",
        "places_to_meet",
        "civic_life",
        "engagement",
    }


def broken(**change: Any) -> dict[str, Any]:
    """The shipped catalogue with its first indicator changed."""
    first = {**SHIPPED_JSON["indicators"][0], **change}
    return {**SHIPPED_JSON, "indicators": [first, *SHIPPED_JSON["indicators"][1:]]}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (broken(minimum=10, maximum=5), "minimum 10 is above maximum 5"),
        (broken(value_type="percentage", maximum=150), "a percentage lies within 0..100"),
        (broken(value_type="score"), "only counts and hours add up"),
        (broken(direction="up"), "Extra inputs are not permitted"),
        (broken(domain="happiness"), "Input should be"),
        ({**SHIPPED_JSON, "indicators": SHIPPED_JSON["indicators"] * 2}, "indicator codes repeat"),
        (
            {**SHIPPED_JSON, "indicators": [i for i in SHIPPED_JSON["indicators"] if i["code"] != "places_to_meet"]},
            "drops indicators reports already use",
        ),
    ],
)
def test_a_broken_catalogue_is_refused_naming_the_fault(tmp_path: Path, document: dict[str, Any], message: str) -> None:
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(document))
    with pytest.raises(ValidationError, match=message):
        load_catalogue(path)


def test_indicators_lists_the_catalogue_in_force(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    listed = client.get("/indicators", headers=APPLICANT).json()
    assert listed["version"] == "cwf-outcomes-2026-12" and len(listed["indicators"]) == len(SHIPPED_JSON["indicators"])
    wellbeing = next(i for i in listed["indicators"] if i["code"] == "wellbeing_score")
    assert (wellbeing["minimum"], wellbeing["maximum"], wellbeing["unit"]) == (14, 70, "score")
    own = tmp_path / "next.json"
    own.write_text(json.dumps({**SHIPPED_JSON, "version": "cwf-outcomes-2027-06"}))
    monkeypatch.setenv("REPORTING_INDICATOR_CATALOGUE_FILE", str(own))
    from reporting import bootstrap

    bootstrap.reset()
    assert client.get("/indicators", headers=OPERATOR).json()["version"] == "cwf-outcomes-2027-06"


# --- the outcome plan ----------------------------------------------------------------------------------------------


def test_a_plan_is_set_and_read_back(client: TestClient, sessions: sessionmaker[Session]) -> None:
    planned_grant(client, sessions)
    read = client.get("/grants/grant-1/outcome-plan", headers=ASSESSOR).json()
    assert [(line["indicator"], line["baseline_value"], line["target_value"]) for line in read["indicators"]] == sorted(
        (line["indicator"], line["baseline_value"], line["target_value"]) for line in PLAN
    )
    assert {line["catalogue_version"] for line in read["indicators"]} == {"cwf-outcomes-2026-12"}
    smaller = {"indicators": [plan_line("activities_run", 4, 40)]}
    assert client.put("/grants/grant-1/outcome-plan", json=smaller, headers=ASSESSOR).status_code == 200
    assert [
        r["indicator"] for r in client.get("/grants/grant-1/outcome-plan", headers=APPLICANT).json()["indicators"]
    ] == ["activities_run"]
    problem(client.put("/grants/grant-1/outcome-plan", json=smaller, headers=OTHER_APPLICANT), 404, "grant-not-found")


BAD_PLANS: dict[str, tuple[list[dict[str, Any]], str]] = {
    "unknown indicator": ([plan_line("happiness", 1, 2)], "indicator-unknown"),
    "baseline above range": ([plan_line("wellbeing_score", 71, 60)], "indicator-out-of-range"),
    "target below range": ([plan_line("wellbeing_score", 40, 13)], "indicator-out-of-range"),
    "percentage above 100": ([plan_line("lonely_residents_pct", 30, 101)], "indicator-out-of-range"),
    "value as text": ([plan_line("volunteers", "ten", 20)], "validation-error"),
    "fractional value": ([plan_line("volunteers", 1.5, 20)], "validation-error"),
    "negative value": ([plan_line("volunteers", -1, 20)], "validation-error"),
    "bad date": ([plan_line("volunteers", 1, 20, target_by="soon")], "validation-error"),
    "target before baseline": ([plan_line("volunteers", 1, 20, target_by="2025-01-01")], "plan-dates-inverted"),
    "repeated indicator": ([plan_line("volunteers", 1, 20), plan_line("volunteers", 2, 30)], "plan-indicator-repeated"),
    "empty plan": ([], "validation-error"),
}


def test_a_bad_plan_is_a_422_with_its_code_and_changes_nothing(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    planned_grant(client, sessions)
    before = (count(sessions, PlannedIndicator), count(sessions, tables.audit_log))
    for case, (lines, code) in BAD_PLANS.items():
        response = client.put("/grants/grant-1/outcome-plan", json={"indicators": lines}, headers=APPLICANT)
        assert response.status_code == 422, case
        problem(response, 422, code)
    assert (count(sessions, PlannedIndicator), count(sessions, tables.audit_log)) == before
    assert len(client.get("/grants/grant-1/outcome-plan", headers=APPLICANT).json()["indicators"]) == len(PLAN)


# --- results in reports -------------------------------------------------------------------------------------------


def test_results_are_checked_against_the_plan_and_the_catalogue(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    planned_grant(client, sessions)
    refusals = {
        "indicator-not-in-plan": {"residents_engaged": 200, "places_to_meet": 1},
        "indicator-out-of-range": {"wellbeing_score": 80},
    }
    for code, outcomes in refusals.items():
        body = problem(client.post("/reports", json=results_body(1, outcomes), headers=APPLICANT), 422, code)
        assert body["indicator"] in outcomes
    problem(client.post("/reports", json=results_body(1, {"joy": 3}), headers=APPLICANT), 422, "validation-error")
    assert count(sessions, ImpactReport) == 0 and count(sessions, tables.outbox) == 0
    accepted = client.post("/reports", json=results_body(1, {"residents_engaged": 200}), headers=APPLICANT)
    assert accepted.status_code == 201 and accepted.json()["outcomes"] == {"residents_engaged": 200}


def test_without_a_plan_a_report_records_the_seven_counts(client: TestClient, sessions: sessionmaker[Session]) -> None:
    scheduled_grant(sessions, datetime(2024, 6, 1, 9, tzinfo=UTC), half_years_from(date(2024, 6, 1), 4))
    answer = client.post("/reports", json=results_body(1, {"volunteers": 9, "residents_engaged": 5}), headers=APPLICANT)
    assert answer.status_code == 201, answer.text
    assert answer.json()["outcomes"] == {**dict.fromkeys(INDICATORS, 0), "residents_engaged": 5, "volunteers": 9}


# --- outcomes against the starting point ----------------------------------------------------------------------------


def accept(client: TestClient, period: int, outcomes: dict[str, int]) -> str:
    """Submit and accept a report for a period of grant-1; its id."""
    submitted = client.post("/reports", json=results_body(period, outcomes), headers=APPLICANT)
    assert submitted.status_code == 201, submitted.text
    report_id = str(submitted.json()["id"])
    assert client.post(f"/reports/{report_id}/accept", headers=ASSESSOR).status_code == 200
    return report_id


def test_outcomes_show_the_wards_starting_point_and_each_indicators_progress(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    planned_grant(client, sessions)
    accept(client, 1, {"residents_engaged": 220, "volunteers": 20, "wellbeing_score": 46, "lonely_residents_pct": 27})
    accept(client, 2, {"residents_engaged": 320, "volunteers": 35, "wellbeing_score": 48, "lonely_residents_pct": 24})
    client.post("/reports", json=results_body(3, {"residents_engaged": 400}), headers=APPLICANT)  # not yet accepted
    seen = client.get("/grants/grant-1/outcomes", headers=APPLICANT).json()
    ward = seen["deprivation_at_award"]
    assert ward["neighbourhood_code"] == "W00000001" and ward["imd_decile"] == 1 and ward["vintage"] == "IoD2025"
    assert ward["population"] == 5000
    lines = {line["code"]: line for line in seen["indicators"]}
    engaged = lines["residents_engaged"]
    assert engaged["baseline"] == {"value": 120, "on": "2025-12-01"}
    assert engaged["target"] == {"value": 520, "by": "2028-12-01"}
    assert [(r["period_number"], r["value"], r["status"]) for r in engaged["results"]] == [
        (1, 220, "accepted"),
        (2, 320, "accepted"),
        (3, 400, "submitted"),
    ]
    assert engaged["latest_accepted"] == 320 and engaged["accepted_total"] == 540
    assert engaged["progress_pct"] == progress_pct(120, 520, 320) == 50.0
    assert lines["lonely_residents_pct"]["progress_pct"] == 40.0  # lower is better: 30 -> 24 of the way to 15
    assert lines["wellbeing_score"]["accepted_total"] is None  # scores do not add up
    problem(client.get("/grants/grant-1/outcomes", headers=OTHER_APPLICANT), 404, "grant-not-found")


def test_fund_outcomes_group_accepted_results_by_domain(client: TestClient, sessions: sessionmaker[Session]) -> None:
    planned_grant(client, sessions)
    accept(client, 1, {"residents_engaged": 220, "volunteers": 20, "wellbeing_score": 46})
    accept(client, 2, {"residents_engaged": 320, "volunteers": 35, "wellbeing_score": 50})
    fund = client.get("/fund/outcomes", headers=OPERATOR).json()
    assert fund["accepted_reports"] == 2 and fund["catalogue_version"] == "cwf-outcomes-2026-12"
    assert fund["domains"]["engagement"]["residents_engaged"]["total"] == 540
    assert fund["domains"]["civic_life"]["volunteers"] == {
        "name": "Volunteers",
        "unit": "people",
        "results": 2,
        "grants": 1,
        "total": 55,
    }
    assert fund["domains"]["health"]["wellbeing_score"]["mean"] == 48.0
    totals = client.get("/outcomes", headers=OPERATOR).json()["totals"]
    assert totals["residents_engaged"] == 540 and "wellbeing_score" not in totals
    problem(client.get("/fund/outcomes", headers=APPLICANT), 403)


# --- versioned reports -----------------------------------------------------------------------------------------------


def test_a_report_sent_back_keeps_its_history_and_acceptance_names_the_version(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    planned_grant(client, sessions)
    first = client.post("/reports", json=results_body(1, {"residents_engaged": 90}), headers=APPLICANT).json()
    assert first["version"] == 1 and [v["version"] for v in first["versions"]] == [1]
    back = client.post(f"/reports/{first['id']}/request-changes", json={"reasons": ["Count once."]}, headers=ASSESSOR)
    assert back.status_code == 200
    second = client.post("/reports", json=results_body(1, {"residents_engaged": 80}), headers=APPLICANT).json()
    assert second["version"] == 2
    assert client.post(f"/reports/{second['id']}/accept", headers=ASSESSOR).json()["version"] == 2
    history = client.get(f"/reports/{first['id']}", headers=APPLICANT).json()
    assert history["version"] == 1
    assert [(v["version"], v["status"], v["outcomes"]) for v in history["versions"]] == [
        (1, "changes_requested", {"residents_engaged": 90}),
        (2, "accepted", {"residents_engaged": 80}),
    ]
    assert history["versions"][0]["change_reasons"] == ["Count once."]
    accepted_event = next(e["payload"] for e in outbox(sessions) if e["event_type"] == "report-accepted")
    assert accepted_event["version"] == 2 and accepted_event["report_id"] == second["id"]
    assert count(sessions, ReportVersion) == 2


def test_the_wards_domain_ranks_and_iod2025_scores_come_from_its_assessment(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    story = Story(awarded_at=datetime(2024, 6, 1, 9, tzinfo=UTC))
    submitted, assessed, decided, awarded = story.up_to_award()
    need = assessed.payload.neighbourhood.model_copy(
        update={
            "domain_rank_means": {"income": 1804.5, "employment": 2210.25},
            "iod2025_imd_score_mean": 51.2,
            "iod2025_domain_score_means": {"income": 0.31},
        }
    )
    assessed = assessed.model_copy(update={"payload": assessed.payload.model_copy(update={"neighbourhood": need})})
    for envelope in (submitted, assessed, decided, awarded, story.scheduled(1, date(2024, 6, 1))):
        deliver(sessions, envelope)
    ward = client.get("/grants/grant-1/outcomes", headers=APPLICANT).json()["deprivation_at_award"]
    assert ward["domain_rank_means"] == {"income": 1804.5, "employment": 2210.25}
    assert ward["iod2025_imd_score_mean"] == 51.2 and ward["iod2025_domain_score_means"] == {"income": 0.31}
