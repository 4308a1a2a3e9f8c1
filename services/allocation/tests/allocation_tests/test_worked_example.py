"""The worked example's allocation steps and report, driven against the allocation API on a seeded pool."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from allocation_tests.seed import need, seed_pool
from grants_cli.walk import Client
from grants_cli.worked_example import allocate_and_compare
from grants_cli.worked_example_report import Example, render, share
from grants_shared.money import format_gbp

WARDS = 120  # enough that £175m at £1m-£2.5m leaves some unfunded


def example(client: TestClient, sessions: sessionmaker[Session]) -> Example:
    """The example's allocation over a seeded pool, through the API (the TestClient is the HTTP client)."""
    ids = seed_pool(sessions, WARDS)
    wards = {need(i).code: {**need(i).model_dump(), "imd_decile": 1 + i % 3} for i in range(WARDS)}
    applications = {
        a: {"ward": need(i).code, "requested_pence": 150_000_000 + (i % 5) * 20_000_000, "duration_months": 120}
        for i, a in enumerate(ids)
    }
    registry = {
        "vintage": "IoD2019-synthetic",
        "inputs_hash": "0" * 64,
        "ward_count": WARDS,
        "left_behind_count": WARDS,
        "wards_held": 0,
    }
    http = Client({"allocation": ""})
    http.http = client
    return allocate_and_compare(http, 7, registry, wards, applications, {})


def table_after(markdown: str, heading: str) -> list[list[str]]:
    """The rows of the first table under a heading, as cells."""
    section = markdown.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("| ")][2:]
    return [[cell.strip() for cell in line.strip("|").split(" | ")] for line in lines]


def pence(text: str) -> int:
    """'£1,500,000' as pence."""
    return int(re.sub(r"[£,]", "", text)) * 100


def test_the_report_adds_up_to_the_committed_run(client: TestClient, sessions: sessionmaker[Session]) -> None:
    made = example(client, sessions)
    report, totals = render(made), made.run["totals"]
    assert made.verified["verified"] and made.breadth_round["status"] == "closed"
    assert 0 < totals["awards"] < WARDS and len(made.decisions) == WARDS
    for heading in ("Share of the money by region", "Share of the money by IMD decile"):
        rows = table_after(report, heading)
        *places, everything = rows
        assert sum(pence(r[4]) for r in places) == pence(everything[4]) == totals["awarded_pence"]
        assert sum(int(r[3]) for r in places) == int(everything[3]) == totals["awards"]
        assert sum(int(r[1]) for r in places) == WARDS
    first, last = table_after(report, "The first 20 decisions"), table_after(report, "The last 20 decisions")
    assert [r[0] for r in first] == [str(n) for n in range(1, 21)]
    assert [r[0] for r in last] == [str(n) for n in range(WARDS - 19, WARDS + 1)]
    assert first[0][-1] == made.decisions[0]["rationale"] and last[-1][-1] == made.decisions[-1]["rationale"]
    first_not = next(d["rank"] for d in made.decisions if not d["awarded"])
    edge = table_after(report, "Where the money ran out")
    assert [r[0] for r in edge] == [str(n) for n in range(first_not - 2, first_not + 3)]
    assert [r[6] == "£0" for r in edge] == [False, False, True, True, True]
    breadth = {r[0]: r[1:] for r in table_after(report, "Breadth against depth")}
    assert breadth["wards funded"] == [str(totals["awards"]), str(made.breadth_run["totals"]["awards"])]
    assert int(breadth["wards funded"][1]) > int(breadth["wards funded"][0])  # £1m pots reach more wards
    assert made.round["policy_hash"] in report and made.run["decisions_digest"] in report
    assert format_gbp(totals["budget_left_pence"]) in report and set(made.timings_ms) >= {"simulate", "commit"}


@pytest.mark.parametrize(
    ("part", "whole", "text"),
    [
        (1, 3, "33.33%"),
        (2, 3, "66.67%"),
        (1, 8, "12.50%"),
        (1, 20_000, "0.01%"),
        (1, 20_001, "0.00%"),
        (5, 5, "100.00%"),
        (0, 7, "0.00%"),
        (3, 0, "-"),
    ],
)
def test_shares_are_exact_and_round_half_up(part: int, whole: int, text: str) -> None:
    assert share(part, whole) == text
