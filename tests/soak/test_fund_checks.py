"""The issue 12 checks find what is wrong: API answers given as the services would, payments' rows in real SQLite."""

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from grants_cli.soak import checks_fund
from grants_cli.soak.probe import Probe
from grants_cli.soak.workload import Done
from grants_shared.auth import Role

PLAN = [{"indicator": "volunteers", "baseline_value": 4, "target_value": 9}]


class Answers(Probe):  # type: ignore[misc]  # mypy sees the harness untyped from tests
    """A probe whose GETs are answered from a table of (service, path) -> JSON, rows from real databases."""

    answers: dict[tuple[str, str], Any]

    def get(self, service: str, path: str, role: Role = Role.FINANCE_OFFICER) -> Any:
        return self.answers[(service, path)]


def probe_with(answers: dict[tuple[str, str], Any], databases: dict[str, str] | None = None) -> Answers:
    probe = Answers(redis=None, databases=databases or {}, urls={})
    probe.answers = answers
    return probe


def done_with(result: int) -> Done:
    done = Done(plans={"g1": PLAN})
    done.accepted = {"g1": {1: {"volunteers": result}}}
    return done


def outcomes(baseline: int, latest: int | None, total: int, results: int = 1) -> dict[tuple[str, str], Any]:
    line = {"code": "volunteers", "baseline": {"value": baseline}, "target": {"value": 9}, "latest_accepted": latest}
    fund = {"accepted_reports": 1, "domains": {"civic_life": {"volunteers": {"results": results, "total": total}}}}
    return {("reporting", "/grants/g1/outcomes"): {"indicators": [line]}, ("reporting", "/fund/outcomes"): fund}


def test_outcomes_shown_as_sent_pass() -> None:
    assert checks_fund.outcomes_against_baselines(probe_with(outcomes(4, 7, 7)), done_with(7)).ok


@pytest.mark.parametrize(
    ("shown", "why"),
    [
        (outcomes(5, 7, 7), "baseline"),
        (outcomes(4, None, 7), "result not shown"),
        (outcomes(4, 7, 8), "fund total"),
        (outcomes(4, 7, 7, results=2), "fund result count"),
    ],
)
def test_outcomes_that_differ_from_what_was_sent_fail(shown: dict[tuple[str, str], Any], why: str) -> None:
    check = checks_fund.outcomes_against_baselines(probe_with(shown), done_with(7))

    assert not check.ok, why
    assert "1 differences" in check.detail


def test_public_figures_differing_from_the_ledger_fail() -> None:
    ledger = {"committed_pence": 100, "paid_pence": 40}
    answers = {("payments", "/ledger/balances?limit=1"): ledger}
    good = {**answers, ("reporting", "/public/api/fund"): {"committed_pence": 100, "paid_net_pence": 40}}
    gross = {**answers, ("reporting", "/public/api/fund"): {"committed_pence": 100, "paid_net_pence": 50}}

    assert checks_fund.public_figures_equal_ledger(probe_with(good), Done()).ok
    assert not checks_fund.public_figures_equal_ledger(probe_with(gross), Done()).ok


def test_a_year_over_the_plan_or_obligations_that_differ_fail() -> None:
    year = {"year": "2027-28", "obligations_pence": 10, "headroom_pence": 5, "over": False}
    over = {**year, "headroom_pence": -1, "over": True}

    def answers(reporting: dict[str, Any], payments: dict[str, Any]) -> Answers:
        return probe_with({("reporting", "/fund/obligations"): reporting, ("payments", "/fund/obligations"): payments})

    same = {"years": [year], "total_pence": 10}
    assert checks_fund.obligations_equal(answers(same, same), Done()).ok
    assert not checks_fund.obligations_equal(answers({"years": [year], "total_pence": 11}, same), Done()).ok
    assert not checks_fund.obligations_equal(
        answers({"years": [over], "total_pence": 10}, {"years": [over], "total_pence": 10}), Done()
    ).ok


def test_published_disbursements_are_compared_with_payments_settled_instructions_to_the_penny(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'payments.db'}"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE grants (grant_id TEXT, amount_pence INTEGER)"))
        connection.execute(text("CREATE TABLE payment_instructions (grant_id TEXT, amount_pence INTEGER, status TEXT)"))
        connection.execute(text("INSERT INTO grants VALUES ('g1', 123456789)"))
        connection.execute(
            text("INSERT INTO payment_instructions VALUES ('g1', 1234567, 'settled'), ('g1', 5, 'returned')")
        )
    engine.dispose()
    probe = probe_with({}, {"payments": url})
    paid = {"id": "360G-CWF-g1", "amountAwarded": 1234567.89, "disbursementTransaction": [{"value": 12345.67}]}
    a_penny_out = {**paid, "disbursementTransaction": [{"value": 12345.68}]}

    assert checks_fund._against_payments(probe, [paid], "360G-CWF") == []
    assert checks_fund._against_payments(probe, [a_penny_out], "360G-CWF") == [
        "grant g1: disbursed 1234568p published, 1234567p paid"
    ]
    assert checks_fund._against_payments(probe, [], "360G-CWF") == ["grant g1: awarded, not published"]
    probe.close()
