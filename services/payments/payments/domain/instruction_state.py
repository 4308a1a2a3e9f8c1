"""The payment instruction lifecycle: awaiting_approval -> created (approved) | cancelled (the grant closed);
created -> instructed (the bank accepted it) | failed (refused outright); instructed -> settled | failed;
settled -> returned. A new instruction starts awaiting approval (above the threshold) or created.
"""

from enum import StrEnum

from payments.domain.lifecycle import Lifecycle, LifecycleError


class InstructionStatus(StrEnum):
    """Where a payment instruction is in its life."""

    AWAITING_APPROVAL = "awaiting_approval"
    CREATED = "created"
    INSTRUCTED = "instructed"
    SETTLED = "settled"
    FAILED = "failed"
    RETURNED = "returned"
    CANCELLED = "cancelled"


class InstructionEvent(StrEnum):
    """What happens to an instruction."""

    APPROVE = "approve"
    CANCEL = "cancel"
    ACCEPT = "accept"
    REJECT = "reject"
    FAIL = "fail"
    SETTLE = "settle"
    RETURN = "return"


class InstructionStateError(LifecycleError):
    """A move the instruction lifecycle does not allow."""


S, E = InstructionStatus, InstructionEvent
LIFECYCLE = Lifecycle(
    "instruction",
    initial=(S.AWAITING_APPROVAL, S.CREATED),
    moves={
        E.APPROVE: ((S.AWAITING_APPROVAL,), S.CREATED),
        E.CANCEL: ((S.AWAITING_APPROVAL,), S.CANCELLED),
        E.ACCEPT: ((S.CREATED,), S.INSTRUCTED),
        E.REJECT: ((S.CREATED,), S.FAILED),
        E.FAIL: ((S.INSTRUCTED,), S.FAILED),
        E.SETTLE: ((S.INSTRUCTED,), S.SETTLED),
        E.RETURN: ((S.SETTLED,), S.RETURNED),
    },
    error=InstructionStateError,
)


def initial_status(needs_approval: bool) -> InstructionStatus:
    """A new instruction waits for a second person's approval above the threshold; otherwise it can be sent."""
    return S.AWAITING_APPROVAL if needs_approval else S.CREATED
