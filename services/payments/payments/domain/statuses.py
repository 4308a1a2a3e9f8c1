"""The status words stored for grants, tranches, payment instructions, holds and variations."""

from payments.domain.tranche_state import TrancheStatus

GRANT_ACTIVE = "active"
GRANT_COMPLETED = "completed"
GRANT_CLOSED = "closed"
GRANT_STATUSES = (GRANT_ACTIVE, GRANT_COMPLETED, GRANT_CLOSED)

TRANCHE_STATUSES = tuple(str(s) for s in TrancheStatus)
UNRELEASED = (str(TrancheStatus.SCHEDULED), str(TrancheStatus.HELD))
TRANCHE_CANCELLED = str(TrancheStatus.CANCELLED)
# Cancellable at closure: nothing of theirs is at the bank or on its way there.
CANCELLABLE = (*UNRELEASED, str(TrancheStatus.AWAITING_APPROVAL), str(TrancheStatus.FAILED),
               str(TrancheStatus.RETURNED))  # fmt: skip

AWAITING_APPROVAL = "awaiting_approval"
CREATED = "created"
INSTRUCTED = "instructed"
SETTLED = "settled"
FAILED = "failed"
RETURNED = "returned"
CANCELLED = "cancelled"
INSTRUCTION_STATUSES = (AWAITING_APPROVAL, CREATED, INSTRUCTED, SETTLED, FAILED, RETURNED, CANCELLED)
LIVE_INSTRUCTIONS = (AWAITING_APPROVAL, CREATED, INSTRUCTED, SETTLED)
IN_FLIGHT = (CREATED, INSTRUCTED)  # the dispatcher may be calling the bank about these right now

HOLD_PARTNERSHIP = "partnership"
HOLD_MANUAL = "manual"
HOLD_CONDITIONS = "conditions"

VARIATION_PENDING = "pending_approval"
VARIATION_APPLIED = "applied"
VARIATION_REJECTED = "rejected"
REPROFILE = "reprofile"
CLOSURE = "closure"
