"""The release policy as data, and time in the release rules (pure: no database)."""

import json
from datetime import date
from typing import Any

import pytest

from payments.adapters.release_policy import DEFAULT_POLICY, load_policy
from payments.domain.release_rules import NOT_YET_DUE, PREVIOUS_UNRELEASED, PolicyError, ReleasePolicy, release_waits

DOCUMENT: dict[str, Any] = json.loads(DEFAULT_POLICY.read_text())
POLICY = ReleasePolicy("v1", 0, 30)
DUE = date(2030, 6, 1)


def test_the_funds_default_policy_puts_every_release_before_a_second_person() -> None:
    policy = load_policy()
    assert (policy.version, policy.second_person_above_pence, policy.release_lead_days) == (
        "cwf-release-2026-12",
        0,
        30,
    )
    assert policy.release_threshold(5_000_000) == 0  # a £50k tranche is above the line
    assert ReleasePolicy("v", 10**9, 0).release_threshold(1, repayment=True) == 0  # a repayment always is


@pytest.mark.parametrize(
    "change",
    [
        {"second_person_above_pence": -1},
        {"second_person_above_pence": 1.5},
        {"second_person_above_pence": True},
        {"release_lead_days": 5491},
        {"release_lead_days": "30"},
        {"version": " "},
        {"extra": 1},
    ],
)
def test_a_malformed_policy_is_refused_saying_why(change: dict[str, Any]) -> None:
    with pytest.raises(PolicyError):
        ReleasePolicy.from_document({**DOCUMENT, **change})


def test_a_policy_without_a_key_is_refused(tmp_path: Any) -> None:
    missing = tmp_path / "policy.json"
    missing.write_text(json.dumps({k: v for k, v in DOCUMENT.items() if k != "release_lead_days"}))
    with pytest.raises(PolicyError, match="policy.json"):
        load_policy(str(missing))


def test_a_tranche_waits_for_its_window_and_for_the_one_before_it() -> None:
    assert release_waits(POLICY, due_on=DUE, today=date(2030, 5, 2), previous=(1, "settled")) == []
    [early] = release_waits(POLICY, due_on=DUE, today=date(2030, 5, 1), previous=None)
    assert early.code == NOT_YET_DUE and "2030-05-02" in early.detail
    for status in ("scheduled", "held", "awaiting_approval"):
        [wait] = release_waits(POLICY, due_on=DUE, today=DUE, previous=(3, status))
        assert wait.code == PREVIOUS_UNRELEASED and "tranche 3" in wait.detail
    for status in ("released", "approved", "instructed", "settled", "failed", "returned"):
        assert release_waits(POLICY, due_on=DUE, today=DUE, previous=(3, status)) == []
