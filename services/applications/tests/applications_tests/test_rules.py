"""Governance and eligibility rules, lifecycle and identifiers as pure functions (no I/O)."""

import pytest

from applications.domain.lifecycle import edit_refusal, submit_refusal, withdraw_refusal
from applications.domain.need import centi_half_even, mean_rank_decile
from applications.domain.organisation_ids import normalise_org_id
from applications.domain.rules import (
    ApplicationFacts,
    Membership,
    NeighbourhoodFacts,
    RuleSet,
    application_outcomes,
    is_eligible,
    left_behind_outcome,
    partnership_outcomes,
)

RULES = RuleSet(version="test")
FLAGGED = NeighbourhoodFacts(code="W1", vintage="v", vintage_has_flag=True, left_behind=True, imd_decile=5)


def facts(**changes: object) -> ApplicationFacts:
    base: dict[str, object] = {
        "membership": Membership(8, 4),
        "requested_pence": 150_000_000,
        "duration_months": 120,
        "due_diligence": "passed",
        "other_live_applications": (),
        "neighbourhood": FLAGGED,
    }
    return ApplicationFacts(**{**base, **changes})  # type: ignore[arg-type]


def failed(f: ApplicationFacts) -> set[str]:
    return {o.rule for o in application_outcomes(RULES, f) if not o.passed}


@pytest.mark.parametrize(
    ("members", "residents", "passed"),
    [
        (8, 4, {True}),
        (7, 7, {False, True}),
        (8, 3, {True, False}),
        (9, 5, {True}),
        (9, 4, {True, False}),
        (0, 0, {False}),
    ],
)
def test_a_partnership_needs_eight_members_and_half_residents(members: int, residents: int, passed: set[bool]) -> None:
    outcomes = partnership_outcomes(RULES, Membership(members, residents))
    assert {o.passed for o in outcomes} == passed


@pytest.mark.parametrize(
    ("pence", "ok"), [(99_999_999, False), (100_000_000, True), (250_000_000, True), (250_000_001, False)]
)
def test_the_requested_amount_is_between_one_and_two_and_a_half_million(pence: int, ok: bool) -> None:
    assert ("requested_amount_in_range" not in failed(facts(requested_pence=pence))) is ok


@pytest.mark.parametrize(
    ("months", "ok"), [(114, False), (120, True), (123, False), (126, True), (180, True), (186, False)]
)
def test_the_duration_is_ten_to_fifteen_years_in_six_month_steps(months: int, ok: bool) -> None:
    assert ("duration_in_range" not in failed(facts(duration_months=months))) is ok


@pytest.mark.parametrize(("status", "ok"), [("passed", True), ("pending", False), ("failed", False)])
def test_the_organisation_must_have_passed_due_diligence(status: str, ok: bool) -> None:
    assert ("organisation_due_diligence_passed" not in failed(facts(due_diligence=status))) is ok


def test_a_neighbourhood_with_a_live_application_refuses_another() -> None:
    outcome = [o for o in application_outcomes(RULES, facts(other_live_applications=("a-1",))) if not o.passed]
    assert [o.rule for o in outcome] == ["one_live_application_per_neighbourhood"] and "a-1" in outcome[0].detail


@pytest.mark.parametrize(("flag", "decile", "ok"), [(True, 9, True), (False, 1, False), (None, 1, False)])
def test_left_behind_follows_the_official_flag_when_the_vintage_has_one(
    flag: bool | None, decile: int, ok: bool
) -> None:
    n = NeighbourhoodFacts(code="W", vintage="v", vintage_has_flag=True, left_behind=flag, imd_decile=decile)
    assert left_behind_outcome(RULES, n).passed is ok


@pytest.mark.parametrize(("decile", "ok"), [(1, True), (2, True), (3, False)])
def test_without_a_flag_left_behind_means_imd_decile_one_or_two(decile: int, ok: bool) -> None:
    n = NeighbourhoodFacts(code="W", vintage="iod", vintage_has_flag=False, left_behind=None, imd_decile=decile)
    outcome = left_behind_outcome(RULES, n)
    assert outcome.passed is ok and f"decile {decile}" in outcome.detail


def test_eligible_only_when_every_rule_passes() -> None:
    assert is_eligible(application_outcomes(RULES, facts()))
    assert not is_eligible(application_outcomes(RULES, facts(membership=Membership(8, 3))))


def test_rules_are_data_and_unknown_parameters_are_refused() -> None:
    stricter = RuleSet.from_params("v2", {**RULES.params(), "min_members": 10})
    assert not partnership_outcomes(stricter, Membership(9, 9))[0].passed
    with pytest.raises(ValueError, match="min_memebrs"):
        RuleSet.from_params("bad", {"min_memebrs": 3})


@pytest.mark.parametrize(
    ("weighted_sum", "population", "n", "decile"),
    [
        (1000, 1000, 100, 1),
        (10_000, 1000, 100, 1),
        (11_000, 1000, 100, 2),
        (100_000, 1000, 100, 10),
        (10_500, 1000, 100, 1),
    ],
)
def test_a_ward_decile_is_the_decile_of_its_mean_rank(weighted_sum: int, population: int, n: int, decile: int) -> None:
    assert mean_rank_decile(weighted_sum, population, n) == decile


def test_mean_ranks_round_half_to_even_in_hundredths() -> None:
    assert centi_half_even(1, 8) == 12 and centi_half_even(3, 8) == 38 and centi_half_even(2, 3) == 67


@pytest.mark.parametrize(
    "raw",
    [
        "GB-CHC-1234567",
        "gb-coh-01234567",
        "GB-COH-SC123456",
        "GB-SC-SC012345",
        "GB-NIC-100002",
        "GB-MPR-IP28316R",
        "GB-LAE-BIR",
    ],
)
def test_registered_organisation_identifiers_are_accepted(raw: str) -> None:
    assert normalise_org_id(raw) == raw.upper()


@pytest.mark.parametrize(
    "raw",
    ["GB-CHC-12", "GB-CHC-ABCDEFG", "US-EIN-123456789", "GB-COH-1234567", "1234567", "GB-SC-123456", "GB-LAE-B1R"],
)
def test_malformed_organisation_identifiers_are_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        normalise_org_id(raw)


def test_only_drafts_change_and_nothing_is_withdrawn_twice_or_after_an_award() -> None:
    assert edit_refusal("draft") is None and submit_refusal("draft") is None
    assert edit_refusal("eligible") and submit_refusal("ineligible")
    assert withdraw_refusal("eligible", awarded=False) is None
    assert withdraw_refusal("withdrawn", awarded=False) and withdraw_refusal("eligible", awarded=True)
