"""The grant lifecycle (active -> completed when every tranche is paid, or closed early) and its variations'
(pending_approval -> applied | rejected)."""

from enum import StrEnum

from payments.domain.lifecycle import Lifecycle, LifecycleError


class GrantStatus(StrEnum):
    """Where a grant is in its life."""

    ACTIVE = "active"
    COMPLETED = "completed"
    CLOSED = "closed"


class GrantEvent(StrEnum):
    """What ends a grant."""

    COMPLETE = "complete"
    CLOSE = "close"


class VariationStatus(StrEnum):
    """Where a variation of a grant is."""

    PENDING = "pending_approval"
    APPLIED = "applied"
    REJECTED = "rejected"


class VariationEvent(StrEnum):
    """What a variation's decision is."""

    APPLY = "apply"
    REJECT = "reject"


class GrantStateError(LifecycleError):
    """A move the grant or variation lifecycle does not allow."""


G, V = GrantStatus, VariationStatus
LIFECYCLE = Lifecycle(
    "grant",
    initial=(G.ACTIVE,),
    moves={
        GrantEvent.COMPLETE: ((G.ACTIVE,), G.COMPLETED),
        GrantEvent.CLOSE: ((G.ACTIVE,), G.CLOSED),
    },
    error=GrantStateError,
)
VARIATION_LIFECYCLE = Lifecycle(
    "variation",
    initial=(V.PENDING,),
    moves={
        VariationEvent.APPLY: ((V.PENDING,), V.APPLIED),
        VariationEvent.REJECT: ((V.PENDING,), V.REJECTED),
    },
    error=GrantStateError,
)
