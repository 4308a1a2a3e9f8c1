"""Policy is versioned data per round: every rule is settable, shown by GET /rounds/{id}, hashed, and obeyed."""

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from allocation_tests.kit import ROUND
from allocation_tests.seed import REGIONS, T0, assessed, deliver, need

EVERY_RULE: dict[str, Any] = {
    "reserve_pence": 50_000_000,
    "eligibility": "imd_decile_1_2",
    "imd_weight": 60,
    "cni_weight": 40,
    "partial_awards": True,
    "one_award_per_neighbourhood": False,
    "region_caps": {"North East": 300_000_000},
    "region_floors": {"West Midlands": 150_000_000},
}
DEFAULTS: dict[str, Any] = {
    "reserve_pence": 0,
    "eligibility": "left_behind",
    "imd_weight": 100,
    "cni_weight": 0,
    "partial_awards": False,
    "one_award_per_neighbourhood": True,
    "region_caps": {},
    "region_floors": {},
}
Decisions = dict[str, dict[str, Any]]


def published_hash(policy: dict[str, Any]) -> str:
    """The documented policy hash: SHA-256 of the policy as sorted, compact UTF-8 JSON."""
    return hashlib.sha256(
        json.dumps(policy, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    ).hexdigest()


def test_every_rule_is_settable_shown_and_hashed(client: TestClient, operator: dict[str, str]) -> None:
    opened = client.post("/rounds", json={**ROUND, **EVERY_RULE}, headers=operator).json()
    shown = client.get(f"/rounds/{opened['id']}", headers=operator).json()
    assert shown == opened
    for rule, value in {**ROUND, **EVERY_RULE}.items():
        if rule != "name":
            assert shown["policy"][rule] == value, rule
    assert shown["policy"]["policy_version"] == "1" and shown["policy_hash"] == published_hash(shown["policy"])
    again = client.post("/rounds", json={**ROUND, **EVERY_RULE, "name": "Same rules"}, headers=operator).json()
    assert again["policy_hash"] == shown["policy_hash"]  # the hash names the rules, not the round
    hashes = {shown["policy_hash"]}
    for rule in EVERY_RULE:
        changed = {**ROUND, **EVERY_RULE, rule: DEFAULTS[rule]}
        if rule in ("imd_weight", "cni_weight"):
            changed.update(imd_weight=100, cni_weight=0)
        hashes.add(client.post("/rounds", json=changed, headers=operator).json()["policy_hash"])
    defaults = client.post("/rounds", json=ROUND, headers=operator).json()["policy"]
    assert {rule: defaults[rule] for rule in DEFAULTS} == DEFAULTS
    assert len(hashes) == 1 + len(EVERY_RULE) - 1  # the two weights move together: one change between them


def seed(sessions: sessionmaker[Session]) -> None:
    """Twelve left-behind wards (IMD and CNI disagree on their order), a second bid in the neediest by IMD,
    and four wards in IMD decile 1 that are not left behind; every request is £1.5m."""
    for i in range(12):
        ward = need(i, imd_mean_rank=100.0 + 37.5 * (11 - i))
        deliver(sessions, assessed(f"lb-{i:02d}", ward, at=T0 + timedelta(minutes=i)))
    deliver(sessions, assessed("lb-11-second", need(11, imd_mean_rank=100.0), at=T0 + timedelta(hours=1)))
    for i in range(12, 16):
        deliver(sessions, assessed(f"other-{i}", need(i, left_behind=False)))


def simulate(client: TestClient, headers: dict[str, str], **rules: Any) -> Decisions:
    """Open a round with the rules over ROUND and simulate it; decisions by application id."""
    round_id = client.post("/rounds", json={**ROUND, **rules}, headers=headers).json()["id"]
    run = client.post(f"/rounds/{round_id}/runs", json={"mode": "simulate"}, headers=headers).json()
    return {d["application_id"]: d for d in run["decisions"]}


def region_total(decisions: Decisions, region: str) -> int:
    """Pence awarded in a region (the seed's wards cycle through REGIONS by number)."""
    return sum(
        d["awarded_pence"]
        for d in decisions.values()
        if REGIONS[int(d["neighbourhood_code"][3:]) % len(REGIONS)] == region
    )


def order(decisions: Decisions) -> list[str]:
    """Ranked application ids, best first."""
    return [a for a, d in sorted(decisions.items(), key=lambda x: x[1]["rank"] or 10**9) if d["rank"]]


CHECKS: dict[str, tuple[dict[str, Any], Callable[[Decisions, Decisions], bool]]] = {
    "reserve": (
        {"reserve_pence": 200_000_000},
        lambda base, d: (
            sum(x["awarded_pence"] for x in d.values()) <= 800_000_000 < sum(x["awarded_pence"] for x in base.values())
        ),
    ),
    "eligibility": (
        {"eligibility": "imd_decile_1_2"},
        lambda base, d: base["other-12"]["outcome"] == "ineligible" and d["other-12"]["rank"] is not None,
    ),
    "weights": ({"imd_weight": 0, "cni_weight": 100}, lambda base, d: order(base) != order(d)),
    "partial awards": (
        {"partial_awards": True},
        lambda base, d: (
            "awarded_partial" not in {x["outcome"] for x in base.values()}
            and [x["awarded_pence"] for x in d.values() if x["outcome"] == "awarded_partial"] == [100_000_000]
        ),
    ),
    "one award per neighbourhood": (
        {"one_award_per_neighbourhood": False},
        lambda base, d: base["lb-11-second"]["outcome"] == "duplicate_neighbourhood" and d["lb-11-second"]["awarded"],
    ),
    "region cap": (
        {"region_caps": {"North East": 100_000_000}},
        lambda base, d: (
            region_total(base, "North East") > 100_000_000 >= region_total(d, "North East")
            and "region_cap" in {x["binding_constraint"] for x in d.values()}
        ),
    ),
    "region floor": (
        {"region_floors": {"West Midlands": 450_000_000}},
        lambda base, d: (
            "region_floor" in {x["binding_constraint"] for x in d.values()}
            and region_total(d, "West Midlands") > region_total(base, "West Midlands")
        ),
    ),
}


@pytest.mark.parametrize("rule", sorted(CHECKS))
def test_each_rule_changes_the_decisions_as_it_says(
    rule: str, client: TestClient, operator: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    seed(sessions)
    base = simulate(client, operator)
    overrides, holds = CHECKS[rule]
    decided = simulate(client, operator, **overrides)
    assert holds(base, decided), (rule, {a: (d["outcome"], d["awarded_pence"]) for a, d in decided.items()})
