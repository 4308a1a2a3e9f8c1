"""The status words stored for grants, tranches and payment instructions."""

from payments.domain.tranche_state import TrancheStatus

GRANT_ACTIVE = "active"
GRANT_COMPLETED = "completed"

TRANCHE_STATUSES = tuple(str(s) for s in TrancheStatus)
UNRELEASED = (str(TrancheStatus.SCHEDULED), str(TrancheStatus.HELD))

AWAITING_APPROVAL = "awaiting_approval"
CREATED = "created"
INSTRUCTED = "instructed"
SETTLED = "settled"
FAILED = "failed"
RETURNED = "returned"
INSTRUCTION_STATUSES = (AWAITING_APPROVAL, CREATED, INSTRUCTED, SETTLED, FAILED, RETURNED)
LIVE_INSTRUCTIONS = (AWAITING_APPROVAL, CREATED, INSTRUCTED, SETTLED)

HOLD_PARTNERSHIP = "partnership"
HOLD_MANUAL = "manual"
