"""Input hashes and decision digests: canonical, order-free, and sensitive to every fact."""

from __future__ import annotations

import numpy as np

from allocation.domain import ApplicationArrays, allocate
from allocation.domain.hashing import decisions_digest, inputs_hash

from .builders import applications, policy, registry

ROWS = [("a", 0, 300), ("b", 1, 300), ("c", 2, 300)]


def test_hash_ignores_the_width_of_the_id_dtype() -> None:
    apps = applications(ROWS)
    wide = ApplicationArrays(apps.application_id.astype("S20"), apps.neighbourhood, apps.requested_pence)
    nbs = registry([1, 2, 3])
    assert inputs_hash(wide, nbs, policy()) == inputs_hash(apps, nbs, policy())
    assert decisions_digest(allocate(wide, nbs, policy())) == decisions_digest(allocate(apps, nbs, policy()))


def test_missing_cni_hashes_the_same_however_it_is_written() -> None:
    apps = applications(ROWS)
    assert inputs_hash(apps, registry([1, 2, 3], cni=[np.nan, 5.0, -1.0]), policy()) == inputs_hash(
        apps, registry([1, 2, 3], cni=[-1.0, 5.0, np.nan]), policy()
    )


def test_every_input_changes_the_hash() -> None:
    base = inputs_hash(applications(ROWS), registry([1, 2, 3]), policy())
    variants = [
        inputs_hash(applications([("a", 0, 301), *ROWS[1:]]), registry([1, 2, 3]), policy()),
        inputs_hash(applications([("z", 0, 300), *ROWS[1:]]), registry([1, 2, 3]), policy()),
        inputs_hash(applications([("a", 1, 300), *ROWS[1:]]), registry([1, 2, 3]), policy()),
        inputs_hash(applications(ROWS[:2]), registry([1, 2, 3]), policy()),
        inputs_hash(applications(ROWS), registry([1, 2, 4]), policy()),
        inputs_hash(applications(ROWS), registry([1, 2, 3], cni=[np.nan, np.nan, 1.0]), policy()),
        inputs_hash(applications(ROWS), registry([1, 2, 3], left_behind=[True, True, False]), policy()),
        inputs_hash(applications(ROWS), registry([1, 2, 3], region=[0, 0, 1]), policy()),
        inputs_hash(applications(ROWS), registry([1, 2, 3], decile=[1, 1, 2]), policy()),
        inputs_hash(applications(ROWS), registry([1, 2, 3]), policy(budget_pence=999)),
    ]
    assert len({base, *variants}) == len(variants) + 1


def test_digest_changes_when_a_decision_changes() -> None:
    apps, nbs = applications(ROWS), registry([1, 2, 3])
    assert decisions_digest(allocate(apps, nbs, policy())) != decisions_digest(
        allocate(apps, nbs, policy(budget_pence=600))
    )
    assert decisions_digest(allocate(apps, nbs, policy())) == decisions_digest(allocate(apps, nbs, policy()))


def test_a_repeated_id_still_hashes_the_same_in_any_order() -> None:
    nbs = registry([1, 2])
    rows = [("a", 0, 100), ("a", 0, 200), ("b", 1, 100)]
    assert inputs_hash(applications(rows), nbs, policy()) == inputs_hash(applications(rows[::-1]), nbs, policy())
    assert inputs_hash(applications(rows), nbs, policy()) != inputs_hash(applications(rows[1:]), nbs, policy())
