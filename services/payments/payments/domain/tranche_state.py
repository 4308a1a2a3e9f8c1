"""The tranche lifecycle as a small state machine, with the maker-checker approval rule:
scheduled -> held | released; held -> released (conditions met, or finance resumes it) | scheduled (its holds
lifted, conditions still to come); released -> awaiting_approval (amount above the threshold) | approved (at or
below it); awaiting_approval -> approved; approved -> instructed -> settled | failed;
failed -> instructed (a retry, always with a NEW instruction id), or released again (the running service
releases a failed tranche again, and its new instruction is sent later); settled -> returned;
returned -> released (paid again: the commitment was restored). Closing a grant cancels every tranche with
nothing at the bank: scheduled, held, awaiting approval, failed or returned -> cancelled (terminal).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from grants_shared.people import same_person
from payments.domain.lifecycle import Lifecycle, LifecycleError
from payments.domain.release_conditions import ReleaseConditions as ReleaseConditions
from payments.domain.release_conditions import evaluate as evaluate


class TrancheStateError(LifecycleError):
    """A transition or approval the tranche lifecycle does not allow."""


class TrancheStatus(StrEnum):
    """Where a tranche is in its life."""

    SCHEDULED = "scheduled"
    HELD = "held"
    RELEASED = "released"
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"
    INSTRUCTED = "instructed"
    SETTLED = "settled"
    FAILED = "failed"
    RETURNED = "returned"
    CANCELLED = "cancelled"


S = TrancheStatus
TRANSITIONS: Mapping[TrancheStatus, frozenset[TrancheStatus]] = {
    S.SCHEDULED: frozenset({S.HELD, S.RELEASED, S.CANCELLED}),
    S.HELD: frozenset({S.RELEASED, S.SCHEDULED, S.CANCELLED}),
    S.RELEASED: frozenset({S.AWAITING_APPROVAL, S.APPROVED}),
    S.AWAITING_APPROVAL: frozenset({S.APPROVED, S.CANCELLED}),
    S.APPROVED: frozenset({S.INSTRUCTED}),
    S.INSTRUCTED: frozenset({S.SETTLED, S.FAILED}),
    S.FAILED: frozenset({S.INSTRUCTED, S.RELEASED, S.CANCELLED}),
    S.SETTLED: frozenset({S.RETURNED}),
    S.RETURNED: frozenset({S.RELEASED, S.CANCELLED}),
    S.CANCELLED: frozenset(),
}


class TrancheEvent(StrEnum):
    """What happens to a tranche in the running service; each is one stored status change."""

    HOLD = "hold"
    RESUME = "resume"
    RELEASE = "release"
    RELEASE_FOR_APPROVAL = "release_for_approval"
    APPROVE = "approve"
    INSTRUCT = "instruct"
    FAIL = "fail"
    SETTLE = "settle"
    RETURN = "return"
    RETRY = "retry"
    CANCEL = "cancel"


E = TrancheEvent
UNRELEASED = (S.SCHEDULED, S.HELD)
CANCELLABLE = (*UNRELEASED, S.AWAITING_APPROVAL, S.FAILED, S.RETURNED)  # nothing of theirs is at the bank
# What the service stores: one write may stand for a path of TRANSITIONS (a release above the threshold is released,
# then awaits approval; at or below it the release is its approval, so a released tranche is instructed directly;
# a refused instruction was instructed and failed). `test_lifecycles` checks each is such a path.
LIFECYCLE = Lifecycle(
    "tranche",
    initial=(S.SCHEDULED,),
    moves={
        E.HOLD: (UNRELEASED, S.HELD),
        E.RESUME: ((S.HELD,), S.SCHEDULED),
        E.RELEASE: ((S.SCHEDULED, S.RETURNED), S.RELEASED),
        E.RELEASE_FOR_APPROVAL: ((S.SCHEDULED, S.RETURNED), S.AWAITING_APPROVAL),
        E.APPROVE: ((S.AWAITING_APPROVAL,), S.APPROVED),
        E.INSTRUCT: ((S.RELEASED, S.APPROVED), S.INSTRUCTED),
        E.FAIL: ((S.RELEASED, S.APPROVED, S.INSTRUCTED), S.FAILED),
        E.SETTLE: ((S.INSTRUCTED,), S.SETTLED),
        E.RETURN: ((S.SETTLED,), S.RETURNED),
        E.RETRY: ((S.FAILED,), S.RELEASED),
        E.CANCEL: (CANCELLABLE, S.CANCELLED),
    },
    error=TrancheStateError,
)


def release_event(amount_pence: int, threshold_pence: int) -> TrancheEvent:
    """Above the threshold a release awaits a second person's approval; at or below it, it is its own approval."""
    return E.RELEASE_FOR_APPROVAL if amount_pence > threshold_pence else E.RELEASE


def is_path(source: TrancheStatus, target: TrancheStatus) -> bool:
    """Whether `target` is reached from `source` by one or more TRANSITIONS."""
    seen, frontier = set(), [source]
    while frontier:
        for nxt in TRANSITIONS[frontier.pop()]:
            if nxt == target:
                return True
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return False


def check_transition(current: TrancheStatus, target: TrancheStatus) -> None:
    """Raise `TrancheStateError` unless `current -> target` is a lifecycle transition."""
    allowed = TRANSITIONS[current]
    if target not in allowed:
        options = ", ".join(sorted(allowed)) or "nothing (terminal)"
        raise TrancheStateError(f"a {current} tranche cannot become {target}; it can become: {options}")


def check_approver(releaser: str, approver: str, amount_pence: int, threshold_pence: int) -> None:
    """Maker-checker: above the threshold the approver must be someone other than the releaser."""
    if not approver.strip():
        raise TrancheStateError("an approval needs a named approver")
    if amount_pence > threshold_pence and same_person(approver, releaser):
        raise TrancheStateError(
            f"{amount_pence}p is above the approval threshold of {threshold_pence}p: "
            f"the releaser ({releaser}) cannot also approve it"
        )


@dataclass(frozen=True)
class Tranche:
    """One tranche's lifecycle state; every transition returns a new value or raises `TrancheStateError`."""

    tranche_id: str
    number: int
    amount_pence: int
    status: TrancheStatus = S.SCHEDULED
    hold_reasons: tuple[str, ...] = ()
    released_by: str | None = None
    threshold_pence: int | None = None
    approved_by: str | None = None
    instruction_ids: tuple[str, ...] = ()

    @property
    def instruction_id(self) -> str | None:
        """The current (latest) payment instruction id, if any."""
        return self.instruction_ids[-1] if self.instruction_ids else None

    def _to(self, target: TrancheStatus) -> Tranche:
        check_transition(self.status, target)
        return replace(self, status=target)

    def hold(self, reasons: Sequence[str]) -> Tranche:
        """Hold a scheduled tranche for the given unmet reasons."""
        if not reasons:
            raise TrancheStateError("a hold needs at least one reason")
        return replace(self._to(S.HELD), hold_reasons=tuple(reasons))

    def release(self, released_by: str, threshold_pence: int, facts: Mapping[str, bool]) -> Tranche:
        """Release when every condition is met, routed to awaiting approval when above the threshold."""
        unmet = evaluate(ReleaseConditions.for_tranche(self.number), facts)
        if unmet:
            raise TrancheStateError(f"tranche {self.tranche_id} cannot be released: {'; '.join(unmet)}")
        return self._release(released_by, threshold_pence)

    def resume(self, released_by: str, threshold_pence: int) -> Tranche:
        """Finance resumes a held tranche, overriding its hold reasons."""
        if self.status is not S.HELD:
            raise TrancheStateError(f"only a held tranche can be resumed; this one is {self.status}")
        return self._release(released_by, threshold_pence)

    def repay(self, released_by: str, threshold_pence: int) -> Tranche:
        """Release a returned tranche again (a new instruction pays it; the approval rule applies afresh)."""
        if self.status is not S.RETURNED:
            raise TrancheStateError(f"only a returned tranche can be paid again; this one is {self.status}")
        return replace(self, approved_by=None)._release(released_by, threshold_pence)

    def cancel(self) -> Tranche:
        """Cancel a tranche of a closed grant; only one with nothing at the bank or on its way there."""
        return self._to(S.CANCELLED)

    def _release(self, released_by: str, threshold_pence: int) -> Tranche:
        if not released_by.strip():
            raise TrancheStateError("a release needs a named releaser")
        released = replace(self._to(S.RELEASED), released_by=released_by, threshold_pence=threshold_pence)
        return released._to(S.AWAITING_APPROVAL) if self.amount_pence > threshold_pence else released

    def approve(self, approver: str) -> Tranche:
        """Approve a released tranche (maker-checker applies above the threshold recorded at release)."""
        if self.released_by is None or self.threshold_pence is None:
            raise TrancheStateError(f"a {self.status} tranche cannot be approved: it was never released")
        if self.status is S.RELEASED and self.amount_pence > self.threshold_pence:
            raise TrancheStateError("above the threshold a tranche must await approval first")
        check_approver(self.released_by, approver, self.amount_pence, self.threshold_pence)
        return replace(self._to(S.APPROVED), approved_by=approver)

    def instruct(self, instruction_id: str) -> Tranche:
        """Instruct payment (first time, or a retry after failure) with a new instruction id."""
        if not instruction_id.strip() or instruction_id in self.instruction_ids:
            raise TrancheStateError(f"instruction id {instruction_id!r} is empty or already used for this tranche")
        return replace(self._to(S.INSTRUCTED), instruction_ids=(*self.instruction_ids, instruction_id))

    def settle(self, instruction_id: str) -> Tranche:
        """The current instruction settled."""
        return self._current(instruction_id)._to(S.SETTLED)

    def fail(self, instruction_id: str) -> Tranche:
        """The current instruction failed; it may be retried with a new instruction id."""
        return self._current(instruction_id)._to(S.FAILED)

    def mark_returned(self, instruction_id: str) -> Tranche:
        """The settled payment came back."""
        return self._current(instruction_id)._to(S.RETURNED)

    def _current(self, instruction_id: str) -> Tranche:
        if instruction_id != self.instruction_id:
            raise TrancheStateError(
                f"{instruction_id!r} is not this tranche's current instruction ({self.instruction_id})"
            )
        return self
