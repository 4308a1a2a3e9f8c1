"""The payments state machine (machine.py): every ledger invariant and every stored status move after every step,
bank and ledger reconciled.

The default run is small enough for the everyday suite; `make test-slow` runs a long soak of it.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from grants_shared.db import migrate
from payments_tests.bank import Bank
from payments_tests.machine import SEEN, machine_for


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A migrated, empty payments database that each example starts from (a file copy, not a migration)."""
    path = tmp_path_factory.mktemp("machine") / "template.db"
    migrate(f"sqlite:///{path}", "payments")
    yield path


def run(template: Path, tmp_path: Path, bank: Bank, examples: int, steps: int) -> None:
    """Run the machine for `examples` examples of up to `steps` steps."""
    machine = machine_for(template, tmp_path, bank)
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=steps,
            deadline=None,
            derandomize=False,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )


def test_the_ledger_holds_after_every_step(template: Path, tmp_path: Path, clock_bank: Bank) -> None:
    run(template, tmp_path, clock_bank, examples=25, steps=30)
    assert ("tranches", "scheduled", "held") in SEEN  # the machine drove real moves, and the recorder saw them


@pytest.mark.slow
@pytest.mark.timeout(3600)
def test_the_ledger_holds_after_every_step_in_a_long_run(template: Path, tmp_path: Path, clock_bank: Bank) -> None:
    run(template, tmp_path, clock_bank, examples=300, steps=60)
