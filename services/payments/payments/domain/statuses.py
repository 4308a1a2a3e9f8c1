"""The words stored for grants, tranches, payment instructions, holds and variations (from their lifecycles)."""

from payments.domain.grant_state import GrantStatus, VariationStatus
from payments.domain.instruction_state import InstructionStatus
from payments.domain.tranche_state import TrancheStatus

GRANT_ACTIVE = str(GrantStatus.ACTIVE)
GRANT_COMPLETED = str(GrantStatus.COMPLETED)
GRANT_CLOSED = str(GrantStatus.CLOSED)
GRANT_STATUSES = tuple(str(s) for s in GrantStatus)

TRANCHE_STATUSES = tuple(str(s) for s in TrancheStatus)
TRANCHE_SCHEDULED = str(TrancheStatus.SCHEDULED)
UNRELEASED = (str(TrancheStatus.SCHEDULED), str(TrancheStatus.HELD))
TRANCHE_CANCELLED = str(TrancheStatus.CANCELLED)
# Cancellable at closure: nothing of theirs is at the bank or on its way there.
CANCELLABLE = (
    *UNRELEASED,
    str(TrancheStatus.AWAITING_APPROVAL),
    str(TrancheStatus.FAILED),
    str(TrancheStatus.RETURNED),
)

I = InstructionStatus  # noqa: E741
AWAITING_APPROVAL = str(I.AWAITING_APPROVAL)
CREATED = str(I.CREATED)
INSTRUCTED = str(I.INSTRUCTED)
SETTLED = str(I.SETTLED)
FAILED = str(I.FAILED)
RETURNED = str(I.RETURNED)
CANCELLED = str(I.CANCELLED)
INSTRUCTION_STATUSES = tuple(str(s) for s in InstructionStatus)
LIVE_INSTRUCTIONS = (AWAITING_APPROVAL, CREATED, INSTRUCTED, SETTLED)
IN_FLIGHT = (CREATED, INSTRUCTED)  # the dispatcher may be calling the bank about these right now

HOLD_PARTNERSHIP = "partnership"
HOLD_MANUAL = "manual"
HOLD_CONDITIONS = "conditions"

VARIATION_PENDING = str(VariationStatus.PENDING)
VARIATION_APPLIED = str(VariationStatus.APPLIED)
VARIATION_REJECTED = str(VariationStatus.REJECTED)
REPROFILE = "reprofile"
CLOSURE = "closure"
