"""At fund scale: a grant for each of the 225 left-behind wards carried through a first year of reports with results
against an outcome plan; the fund's outcomes by domain equal the sum of the accepted results, and no report is left
overdue once the year's reports are in."""

import csv
import os
import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.auth import Principal, Role
from grants_shared.delivery.apply import apply_envelopes
from grants_shared.uow import UnitOfWork
from reporting.adapters.catalogue import load_catalogue
from reporting.domain.outcome_plan import PlanLine
from reporting.usecases.commands import SubmitReport
from reporting.usecases.outcome_plans import set_outcome_plan
from reporting.usecases.reports import accept_report, submit_report

from .conftest import OPERATOR
from .story import GROUP, ROUTES, Story

TODAY = datetime.now(UTC).date()
AWARDED = datetime.combine(TODAY - timedelta(days=380), datetime.min.time(), UTC)
DUES = [AWARDED.date() + timedelta(days=d) for d in (0, 182, 365, 547)]
PLANNED = ("residents_engaged", "volunteers", "volunteering_hours", "people_into_employment", "wellbeing_score")
ASSESSOR = Principal(subject="asha", roles=frozenset({Role.ASSESSOR}))


def left_behind_regions() -> list[str]:
    """The region of each of the 225 left-behind wards, most need first (from the reference data folder)."""
    folder = os.environ.get("GRANTS_REFERENCE_DATA_DIR")
    if not folder:
        pytest.skip("GRANTS_REFERENCE_DATA_DIR is not set: point it at the folder holding cni_left_behind/")
    path = Path(folder) / "cni_left_behind" / "left_behind_wards_2019_225_DERIVED.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [row["rgn17_code"] for row in csv.DictReader(handle)]


def award(sessions: sessionmaker[Session], n: int, region: str) -> Story:
    """Grant n awarded 380 days ago in `region`, four tranches half-yearly, through the projections."""
    story = Story(n=n, organisation_id=f"org-{n}", region=region, awarded_at=AWARDED, tranches=len(DUES))
    envelopes = [*story.up_to_award(), *(story.scheduled(k, due) for k, due in enumerate(DUES, start=1))]
    assert not apply_envelopes(sessions, GROUP, ROUTES, envelopes).with_status("parked")  # one transaction a grant
    return story


def plan(uow: UnitOfWork, story: Story) -> None:
    """The grant's partnership sets its plan."""
    partnership = Principal(
        subject=f"lead-{story.n}", roles=frozenset({Role.APPLICANT}), organisation_id=story.organisation_id
    )
    catalogue = load_catalogue()
    lines = []
    for code in PLANNED:
        indicator = catalogue.get(code)
        assert indicator is not None
        baseline = indicator.minimum + 5
        lines.append(PlanLine(code, baseline, DUES[0], baseline + 5, DUES[-1]))
    set_outcome_plan(story.grant_id, lines, partnership, uow)


def report_year(uow: UnitOfWork, story: Story, rng: random.Random) -> dict[str, list[int]]:
    """Reports for periods 1 and 2 with results for every planned indicator, each accepted; the results."""
    partnership = Principal(
        subject=f"lead-{story.n}", roles=frozenset({Role.APPLICANT}), organisation_id=story.organisation_id
    )
    given: dict[str, list[int]] = defaultdict(list)
    for period in (1, 2):
        results = {
            "residents_engaged": rng.randint(50, 900),
            "volunteers": rng.randint(3, 80),
            "volunteering_hours": rng.randint(40, 4000),
            "people_into_employment": rng.randint(0, 25),
            "wellbeing_score": rng.randint(30, 60),
        }
        report = submit_report(SubmitReport(story.grant_id, period, results, "Our year."), partnership, uow)
        accept_report(report.id, ASSESSOR, uow)
        for code, value in results.items():
            given[code].append(value)
    return given


def test_the_left_behind_wards_first_year_of_outcomes_adds_up(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    regions = left_behind_regions()
    assert len(regions) == 225
    stories = [award(sessions, n, region) for n, region in enumerate(regions, start=1)]
    overdue = client.get("/reports/due", params={"status": "overdue", "limit": 1000}, headers=OPERATOR).json()
    assert overdue["total"] == 2 * 225  # periods 1 and 2 of every grant are past due before anyone reports
    rng, given = random.Random(12), defaultdict(list)
    for story in stories:  # the plan and the year's reports of a grant in one transaction
        with UnitOfWork(sessions) as uow:
            plan(uow, story)
            for code, values in report_year(uow, story, rng).items():
                given[code].extend(values)
            uow.commit()

    fund = client.get("/fund/outcomes", headers=OPERATOR).json()
    assert fund["accepted_reports"] == 2 * 225
    domains = fund["domains"]
    assert domains["engagement"]["residents_engaged"]["total"] == sum(given["residents_engaged"])
    assert domains["civic_life"]["volunteers"]["total"] == sum(given["volunteers"])
    assert domains["civic_life"]["volunteering_hours"]["total"] == sum(given["volunteering_hours"])
    assert domains["employment"]["people_into_employment"]["total"] == sum(given["people_into_employment"])
    wellbeing = domains["health"]["wellbeing_score"]
    assert wellbeing["mean"] == round(sum(given["wellbeing_score"]) / 450, 1) and wellbeing["grants"] == 225
    by_region = client.get("/outcomes", headers=OPERATOR).json()["by_region"]
    assert sum(values["residents_engaged"] for values in by_region.values()) == sum(given["residents_engaged"])
    assert set(by_region) == set(regions)

    assert client.get("/reports/due", params={"status": "overdue"}, headers=OPERATOR).json()["total"] == 0
    last = client.get(f"/grants/{stories[-1].grant_id}/outcomes", headers=OPERATOR).json()
    engaged = next(line for line in last["indicators"] if line["code"] == "residents_engaged")
    assert [r["period_number"] for r in engaged["results"]] == [1, 2]
    assert engaged["accepted_total"] == sum(r["value"] for r in engaged["results"])
    assert last["deprivation_at_award"]["region_code"] == regions[-1]
