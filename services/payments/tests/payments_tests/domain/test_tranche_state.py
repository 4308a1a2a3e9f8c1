"""The tranche lifecycle: allowed transitions only, release conditions as data, maker-checker approval."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payments.domain.release_conditions import ConditionError, ReleaseConditions
from payments.domain.tranche_state import (
    TRANSITIONS,
    Tranche,
    TrancheStateError,
    TrancheStatus,
    check_approver,
    check_transition,
    evaluate,
)

S = TrancheStatus
THRESHOLD = 5_000_000
FIRST_FACTS = {"agreement_signed": True, "plan_endorsed": True}
LATER_FACTS = {"previous_report_accepted": True, "partnership_compliant": True}

SPEC = {  # the lifecycle from the brief, written out independently of the code's table
    ("scheduled", "held"),
    ("scheduled", "released"),
    ("held", "released"),
    ("released", "awaiting_approval"),
    ("released", "approved"),
    ("awaiting_approval", "approved"),
    ("approved", "instructed"),
    ("instructed", "settled"),
    ("instructed", "failed"),
    ("failed", "instructed"),
    ("settled", "returned"),
    ("held", "scheduled"),
    ("returned", "released"),
    ("scheduled", "cancelled"),
    ("held", "cancelled"),
    ("awaiting_approval", "cancelled"),
    ("failed", "cancelled"),
    ("returned", "cancelled"),
    ("failed", "released"),  # what runs: a failed tranche paid again is released again; its new instruction follows
}


@pytest.mark.parametrize(("current", "target"), list(itertools.product(S, S)))
def test_only_the_specified_transitions_are_allowed(current: TrancheStatus, target: TrancheStatus) -> None:
    if (current.value, target.value) in SPEC:
        check_transition(current, target)
        assert target in TRANSITIONS[current]
    else:
        with pytest.raises(TrancheStateError, match=f"a {current} tranche cannot become {target}"):
            check_transition(current, target)


def test_cancelled_is_terminal() -> None:
    with pytest.raises(TrancheStateError, match=r"nothing \(terminal\)"):
        check_transition(S.CANCELLED, S.SCHEDULED)


def test_a_returned_tranche_is_paid_again_with_a_new_release_and_approval() -> None:
    t = Tranche("tr-3", 3, 7_500_000).release("maker", THRESHOLD, LATER_FACTS).approve("checker")
    t = t.instruct("ins-1").settle("ins-1").mark_returned("ins-1")
    again = t.repay("officer", THRESHOLD)
    assert (again.status, again.released_by, again.approved_by) == (S.AWAITING_APPROVAL, "officer", None)
    with pytest.raises(TrancheStateError, match="cannot also approve"):
        again.approve("officer")
    paid = again.approve("checker").instruct("ins-2").settle("ins-2")
    assert paid.status is S.SETTLED and paid.instruction_ids == ("ins-1", "ins-2")
    with pytest.raises(TrancheStateError, match="only a returned tranche"):
        paid.repay("officer", THRESHOLD)
    assert t.cancel().status is S.CANCELLED


def test_happy_path_below_threshold_allows_the_releaser_to_approve() -> None:
    t = Tranche("tr-1", 1, 1_000_000).release("maker", THRESHOLD, FIRST_FACTS)
    assert t.status is S.RELEASED and t.released_by == "maker"
    t = t.approve("maker").instruct("ins-1").settle("ins-1")
    assert (t.status, t.approved_by, t.instruction_id) == (S.SETTLED, "maker", "ins-1")
    assert t.mark_returned("ins-1").status is S.RETURNED


def test_above_threshold_awaits_a_different_approver() -> None:
    t = Tranche("tr-2", 2, 7_500_000).release("maker", THRESHOLD, LATER_FACTS)
    assert t.status is S.AWAITING_APPROVAL
    with pytest.raises(TrancheStateError, match="the releaser \\(maker\\) cannot also approve"):
        t.approve("maker")
    with pytest.raises(TrancheStateError, match="cannot also approve"):
        t.approve("  MAKER ")
    assert t.approve("checker").status is S.APPROVED


def test_a_failed_payment_is_retried_with_a_new_instruction_id() -> None:
    t = Tranche("tr-1", 1, 100).release("m", THRESHOLD, FIRST_FACTS).approve("c").instruct("ins-1").fail("ins-1")
    assert t.status is S.FAILED
    with pytest.raises(TrancheStateError, match="already used"):
        t.instruct("ins-1")
    t = t.instruct("ins-2")
    assert t.instruction_ids == ("ins-1", "ins-2")
    with pytest.raises(TrancheStateError, match="not this tranche's current instruction"):
        t.settle("ins-1")
    assert t.settle("ins-2").status is S.SETTLED


def test_unmet_conditions_block_release_and_a_held_tranche_resumes() -> None:
    t = Tranche("tr-3", 3, 100)
    with pytest.raises(TrancheStateError, match="previous_report_accepted: not met"):
        t.release("m", THRESHOLD, {"previous_report_accepted": False, "partnership_compliant": True})
    reasons = evaluate(ReleaseConditions.for_tranche(3), {})
    held = t.hold(reasons)
    assert held.status is S.HELD and held.hold_reasons == tuple(reasons)
    assert held.release("m", THRESHOLD, LATER_FACTS).status is S.RELEASED
    assert held.resume("finance", THRESHOLD).status is S.RELEASED
    with pytest.raises(TrancheStateError, match="only a held tranche can be resumed"):
        t.resume("finance", THRESHOLD)
    with pytest.raises(TrancheStateError, match="at least one reason"):
        t.hold([])


def test_release_conditions_per_tranche() -> None:
    assert ReleaseConditions.for_tranche(1).required == ("agreement_signed", "plan_endorsed")
    assert ReleaseConditions.for_tranche(2).required == ("previous_report_accepted", "partnership_compliant")
    assert evaluate(ReleaseConditions.for_tranche(1), FIRST_FACTS) == []
    reasons = evaluate(["agreement_signed", "plan_endorsed"], {"agreement_signed": True})
    assert reasons == ["plan_endorsed: not yet known (the partnership's plan is endorsed: no fact recorded)"]
    truthy_but_not_true: dict[str, bool] = {"partnership_compliant": "yes"}  # type: ignore[dict-item]
    assert evaluate(["partnership_compliant"], truthy_but_not_true) != []
    with pytest.raises(ConditionError, match="unknown release conditions: moon_phase"):
        evaluate(["moon_phase"], {})
    with pytest.raises(ConditionError):
        ReleaseConditions.for_tranche(0)


@pytest.mark.parametrize(
    ("releaser", "approver", "amount", "ok"),
    [
        ("a", "b", 10, True),
        ("a", "a", 10, True),
        ("a", "a", 11, False),
        ("a", "b", 11, True),
        ("a", " ", 5, False),
    ],
)
def test_check_approver(releaser: str, approver: str, amount: int, ok: bool) -> None:
    if ok:
        check_approver(releaser, approver, amount, 10)
    else:
        with pytest.raises(TrancheStateError):
            check_approver(releaser, approver, amount, 10)


def test_wrong_order_is_rejected_with_a_reason() -> None:
    t = Tranche("tr-1", 1, 100)
    with pytest.raises(TrancheStateError, match="never released"):
        t.approve("c")
    with pytest.raises(TrancheStateError, match="a scheduled tranche cannot become instructed"):
        t.instruct("ins-1")
    with pytest.raises(TrancheStateError, match="not this tranche's current instruction"):
        t.settle("ins-1")
    released = t.release("m", THRESHOLD, FIRST_FACTS)
    with pytest.raises(TrancheStateError, match="a released tranche cannot become held"):
        released.hold(["late"])


ACTIONS = st.sampled_from(
    ["hold", "release", "resume", "approve", "instruct", "settle", "fail", "return", "repay", "cancel"]
)


def step(t: Tranche, action: str, who: str, n: int) -> Tranche:
    if action == "hold":
        return t.hold(["waiting"])
    if action == "release":
        return t.release(who, THRESHOLD, FIRST_FACTS)
    if action == "resume":
        return t.resume(who, THRESHOLD)
    if action == "approve":
        return t.approve(who)
    if action == "repay":
        return t.repay(who, THRESHOLD)
    if action == "cancel":
        return t.cancel()
    if action == "instruct":
        return t.instruct(f"ins-{n}")
    return {"settle": t.settle, "fail": t.fail, "return": t.mark_returned}[action](f"ins-{n}")


@given(
    st.lists(st.tuples(ACTIONS, st.sampled_from(["m", "c"]), st.integers(0, 3)), max_size=30),
    st.integers(1, 10_000_000),
)
def test_random_actions_only_ever_follow_allowed_transitions(actions: list[tuple[str, str, int]], amount: int) -> None:
    t = Tranche("tr-1", 1, amount)
    for action, who, n in actions:
        before = t
        try:
            t = step(t, action, who, n)
        except TrancheStateError:
            assert t == before
            continue
        path = {(before.status.value, t.status.value)}
        if t.status is S.AWAITING_APPROVAL and before.status is not S.RELEASED:
            path = {(before.status.value, "released"), ("released", "awaiting_approval")}
        assert path <= SPEC
        if t.status is S.APPROVED and amount > THRESHOLD:
            assert t.approved_by != t.released_by
        assert len(set(t.instruction_ids)) == len(t.instruction_ids)
