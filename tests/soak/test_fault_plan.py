"""The fault plan comes from the seed alone: the same seed and options give the same faults, printed the same way."""

from grants_cli.soak.faults import API_AFTER_COMMIT, KINDS, PROCESSES, plan_faults, render_plan
from grants_cli.soak.workload import Spec, expected_actions


def test_the_same_seed_gives_the_same_plan_and_the_same_printout() -> None:
    assert plan_faults(42, 14, 1000) == plan_faults(42, 14, 1000)
    assert render_plan(42, plan_faults(42, 14, 1000)) == render_plan(42, plan_faults(42, 14, 1000))


def test_other_seeds_give_other_plans() -> None:
    plans = {render_plan(0, plan_faults(seed, 14, 1000)) for seed in range(20)}
    assert len(plans) == 20


def test_every_kind_of_fault_is_planned_when_there_are_enough() -> None:
    for seed in range(30):
        assert {fault.kind for fault in plan_faults(seed, len(KINDS), 500)} == set(KINDS)


def test_faults_land_on_distinct_actions_within_the_workload_in_order() -> None:
    actions = expected_actions(Spec(wards=8, periods=1))
    for seed in range(30):
        plan = plan_faults(seed, 7, actions)
        slots = [fault.at_action for fault in plan]
        assert slots == sorted(set(slots)) and 1 <= slots[0] and slots[-1] < actions


def test_each_fault_names_a_real_process_and_a_bounded_duration() -> None:
    for fault in plan_faults(3, 200, 5000):
        if fault.kind in ("kill", "pause"):
            assert fault.target in PROCESSES
        assert 0 <= fault.seconds <= 8 and 0 <= fault.entries <= 50
        assert (fault.target == "the API of that action") == (fault.kind == API_AFTER_COMMIT)


def test_the_printed_plan_says_what_happens_before_which_action() -> None:
    text = render_plan(5, plan_faults(5, 7, 100))
    assert text.splitlines()[0] == "fault plan for seed 5: 7 fault(s)"
    assert all(line.strip().startswith("before action") for line in text.splitlines()[1:])
