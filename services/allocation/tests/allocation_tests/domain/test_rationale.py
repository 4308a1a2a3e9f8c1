"""Rationale sentences: money and ordinals, exact wording, and the fast builder against the reference."""

from __future__ import annotations

import numpy as np
import pytest

from allocation.domain import allocate, textblock
from allocation.domain.rationale import format_gbp, ordinal, rationale_for
from allocation.domain.rationale_batch import rationales

from .builders import applications, policy, registry

M = 100_000_000  # £1m in pence


@pytest.mark.parametrize(
    ("pence", "text"),
    [
        (0, "£0"),
        (5, "£0.05"),
        (150, "£1.50"),
        (100, "£1"),
        (150_000_000, "£1,500,000"),
        (17_500_000_000, "£175,000,000"),
        (-250, "-£2.50"),
    ],
)
def test_format_gbp(pence: int, text: str) -> None:
    assert format_gbp(pence) == text


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (112, "112th"),
        (1023, "1,023rd"),
        (1_000_000, "1,000,000th"),
    ],
)
def test_ordinal(n: int, text: str) -> None:
    assert ordinal(n) == text


def test_sentences_name_the_amount_the_rank_and_what_is_left() -> None:
    rows = [("a", 0, 3 * M), ("b", 1, M // 2), ("c", 2, 5 * M), ("d", 3, 3 * M), ("e", 4, 2 * M)]
    result = allocate(
        applications(rows),
        registry([1, 2, 3, 4, 5]),
        policy(budget_pence=10 * M, min_award_pence=M, max_award_pence=3 * M),
    )
    assert rationales(result) == [
        "Ranked 1st of 5 by need (score 100.0): awarded £3,000,000; £7,000,000 of the budget left.",
        "Ranked 2nd of 5 by need (score 75.0): awarded £1,000,000, the minimum award (£500,000 requested); "
        "£6,000,000 of the budget left.",
        "Ranked 3rd of 5 by need (score 50.0): awarded £3,000,000, the maximum award (£5,000,000 requested); "
        "£3,000,000 of the budget left.",
        "Ranked 4th of 5 by need (score 25.0): awarded £3,000,000; £0 of the budget left.",
        "Ranked 5th of 5 by need (score 0.0): not funded, the budget (£10,000,000) was spent by better-ranked "
        "neighbourhoods.",
    ]


def test_sentences_for_a_stop_a_cut_a_cap_a_floor_and_a_duplicate() -> None:
    nbs = registry([1, 2, 3, 4, 5], region=[0, 0, 1, 0, 2], decile=[1, 1, 1, 1, 1])
    rows = [("a", 0, 3 * M), ("a2", 0, M), ("b", 1, 3 * M), ("c", 2, 3 * M), ("d", 3, 3 * M), ("e", 4, M)]
    p = policy(
        budget_pence=8 * M,
        min_award_pence=M,
        max_award_pence=3 * M,
        partial_awards=True,
        region_caps={"London": 5 * M},
        region_floors={"Yorkshire and The Humber": M},
    )
    texts = rationales(allocate(applications(rows), nbs, p))
    assert texts == [
        "Ranked 1st of 6 by need (score 100.0): awarded £3,000,000; £4,000,000 of the budget left.",
        "Ranked 2nd of 6 by need (score 100.0): not funded: one award per neighbourhood, and one with an earlier "
        "application id ranks ahead.",
        "Ranked 3rd of 6 by need (score 75.0): awarded £2,000,000 of its £3,000,000 award, all that was left "
        "under the £5,000,000 cap for London; £2,000,000 of the budget left.",
        "Ranked 4th of 6 by need (score 50.0): awarded £2,000,000 of its £3,000,000 award, all that was left "
        "of the budget.",
        "Ranked 5th of 6 by need (score 25.0): not funded, the budget (£8,000,000) was spent by better-ranked "
        "neighbourhoods and region floors.",
        "Ranked 6th of 6 by need (score 0.0): awarded £1,000,000 from the £1,000,000 floor reserved for "
        "Yorkshire and The Humber; £7,000,000 of the budget left.",
    ]


def test_sentences_when_an_award_does_not_fit_and_for_ineligible_neighbourhoods() -> None:
    nbs = registry([1, 2, 3, 4], left_behind=[True, True, True, False], decile=[1, 1, 2, 6])
    rows = [("a", 0, 3 * M), ("b", 1, 3 * M), ("c", 2, M), ("d", 3, M)]
    p = policy(budget_pence=4 * M, min_award_pence=M, max_award_pence=3 * M, eligibility="left_behind")
    assert rationales(allocate(applications(rows), nbs, p))[1:] == [
        "Ranked 2nd of 3 by need (score 66.7): not funded: its £3,000,000 award did not fit the £1,000,000 of the "
        "budget left, and partial awards are not allowed.",
        "Ranked 3rd of 3 by need (score 33.3): not funded: the budget ran out at a better-ranked neighbourhood "
        "whose award did not fit the £1,000,000 left, and awards go strictly in rank order.",
        "Not eligible: the neighbourhood is not a 'left behind' ward.",
    ]
    decile_policy = p.model_copy(update={"eligibility": "imd_decile_1_2"})
    assert rationales(allocate(applications(rows), nbs, decile_policy))[3] == (
        "Not eligible: the neighbourhood is in IMD decile 6; only deciles 1-2 are eligible."
    )


def test_partial_mode_says_what_was_left_was_below_the_minimum() -> None:
    rows = [("a", 0, 3 * M), ("b", 1, 3 * M), ("c", 2, M)]
    p = policy(budget_pence=3 * M + M // 2, min_award_pence=M, max_award_pence=3 * M, partial_awards=True)
    assert rationales(allocate(applications(rows), registry([1, 2, 3]), p))[1:] == [
        "Ranked 2nd of 3 by need (score 50.0): not funded: the £500,000 of the budget left was less than the "
        "£1,000,000 minimum award.",
        "Ranked 3rd of 3 by need (score 0.0): not funded: only £500,000 of the budget was left after better-ranked "
        "neighbourhoods, less than the £1,000,000 minimum award.",
    ]


def test_fast_builder_matches_the_reference_across_digit_widths_and_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(textblock, "CHUNK", 97)
    rng = np.random.default_rng(3)
    n = 12_345
    nbs = registry(
        list(rng.integers(1, 50, 40)),
        cni=list(rng.uniform(0, 9, 40)),
        region=list(rng.integers(0, 3, 40)),
        decile=list(rng.integers(1, 11, 40)),
    )
    rows = [(f"app-{i}", int(rng.integers(0, 40)), int(rng.integers(1, 400))) for i in range(n)]
    p = policy(
        budget_pence=20_000,
        eligibility="imd_decile_1_2",
        one_award_per_neighbourhood=False,
        region_caps={"London": 3000},
        partial_awards=True,
    )
    result = allocate(applications(rows), nbs, p)
    assert result.n_eligible > 1000
    assert rationales(result) == [rationale_for(result, i) for i in range(n)]
