"""Policy: validation, canonical JSON and its hash."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from allocation.domain import Policy

from .builders import policy


def test_available_budget_holds_back_the_reserve() -> None:
    assert policy(budget_pence=1000, reserve_pence=250).available_pence == 750


@pytest.mark.parametrize(
    "overrides",
    [
        {"min_award_pence": 400, "max_award_pence": 300},
        {"reserve_pence": 1001},
        {"imd_weight": 60, "cni_weight": 50},
        {"region_floors": {"London": 600, "North East": 500}},
        {"region_caps": {"London": 100}, "region_floors": {"London": 200}},
        {"budget_pence": 1000.0},
        {"budget_pence": "1000"},
        {"partial_awards": "yes"},
        {"eligibility": "everyone"},
        {"region_caps": {"London": -1}},
        {"colour": "blue"},
    ],
)
def test_inconsistent_or_loose_policies_are_refused(overrides: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        policy(**overrides)


def test_policy_is_frozen() -> None:
    with pytest.raises(ValidationError):
        policy().budget_pence = 5  # type: ignore[misc]


def test_canonical_json_is_sorted_compact_and_round_trips() -> None:
    p = policy(region_caps={"North East": 500, "London": 400})
    text = p.canonical_json().decode()
    data = json.loads(text)
    assert text == json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert Policy.model_validate_json(text) == p


def test_hash_ignores_mapping_order_but_not_values() -> None:
    a = policy(region_caps={"London": 400, "North East": 500})
    b = policy(region_caps={"North East": 500, "London": 400})
    assert a.sha256() == b.sha256()
    assert a.sha256() != policy(region_caps={"London": 401, "North East": 500}).sha256()
    assert a.sha256() != a.model_copy(update={"policy_version": "2"}).sha256()
    assert len(a.sha256()) == 64
