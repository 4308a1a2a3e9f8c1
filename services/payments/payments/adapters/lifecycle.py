"""The one place a stored status changes: each change asks the aggregate's domain lifecycle first.

An ORM row moves with `move_tranche`, `move_grant`, `move_variation` or `move_instruction_row` (the domain sets
the status, and it is flushed at once, so every stored change is one move the lifecycle allows); an instruction
moves by a guarded `UPDATE ... WHERE status IN (the event's sources)` (`move_instruction`), so only one process
ever makes a move.
`tests/payments_tests/test_lifecycle_rule.py` checks that no other module assigns a status.
"""

from typing import Any, cast

from sqlalchemy import inspect, update
from sqlalchemy.orm import InstanceState, Session

from payments.adapters.orm import Grant, PaymentInstruction, Tranche
from payments.adapters.orm_variations import Variation
from payments.domain import grant_state, instruction_state, tranche_state
from payments.domain.grant_state import GrantEvent, VariationEvent
from payments.domain.instruction_state import InstructionEvent
from payments.domain.lifecycle import Lifecycle
from payments.domain.tranche_state import TrancheEvent

Row = Tranche | Grant | Variation | PaymentInstruction


def _move(row: Row, lifecycle: Lifecycle, event: str) -> None:
    if not lifecycle.apply(row, event):
        return
    state = cast("InstanceState[Any] | None", inspect(row, raiseerr=False))  # None: a new award's draft, not a row
    session = state.session if state is not None else None
    if session is not None:
        session.flush()  # one stored change per move: two moves in one unit never read as one jump


def move_tranche(tranche: Tranche, event: TrancheEvent) -> None:
    """Move a tranche (loaded, locked) by `event`; raises `TrancheStateError` when its lifecycle refuses."""
    _move(tranche, tranche_state.LIFECYCLE, event)


def move_grant(grant: Grant, event: GrantEvent) -> None:
    """Move a grant (completed, closed) by `event`; raises `GrantStateError` when its lifecycle refuses."""
    _move(grant, grant_state.LIFECYCLE, event)


def move_variation(variation: Variation, event: VariationEvent) -> None:
    """Apply or reject a pending variation; raises `GrantStateError` when it is not pending."""
    _move(variation, grant_state.VARIATION_LIFECYCLE, event)


def move_instruction_row(instruction: PaymentInstruction, event: InstructionEvent) -> None:
    """Move a loaded, locked instruction by `event`; raises `InstructionStateError` when its lifecycle refuses."""
    _move(instruction, instruction_state.LIFECYCLE, event)


def move_instruction(session: Session, instruction_id: str, event: InstructionEvent, **values: Any) -> bool:
    """UPDATE ... WHERE status IN (the event's sources): True when this call made the move (with `values`)."""
    life = instruction_state.LIFECYCLE
    moved = session.execute(
        update(PaymentInstruction)
        .where(PaymentInstruction.instruction_id == instruction_id, PaymentInstruction.status.in_(life.sources(event)))
        .values(status=life.target(event), **values)
        .execution_options(synchronize_session=False)
    )
    return bool(moved.rowcount == 1)  # type: ignore[attr-defined]


def move_instructions_of_grant(session: Session, grant_id: str, event: InstructionEvent) -> None:
    """Move every instruction of a grant that `event` may start from (a closure cancels those awaiting approval)."""
    life = instruction_state.LIFECYCLE
    session.execute(
        update(PaymentInstruction)
        .where(PaymentInstruction.grant_id == grant_id, PaymentInstruction.status.in_(life.sources(event)))
        .values(status=life.target(event))
        .execution_options(synchronize_session=False)
    )
