"""The refusals of the payments use cases: each a kind of `grants_shared.errors` with its stable code and title.

The shared handler answers NotFound with 404, Conflict with 409 and Invalid with 422 (RFC 9457 problem+json).
"""

from grants_shared.errors import Conflict, Invalid, NotFound


class GrantNotFound(NotFound):
    """No such grant (or not one the caller may see)."""

    default_code, default_title = "grant-not-found", "No such grant"


class TrancheNotFound(NotFound):
    """No such tranche (or not one the caller may see)."""

    default_code, default_title = "tranche-not-found", "No such tranche"


class VariationNotFound(NotFound):
    """No such variation of the grant."""

    default_code, default_title = "variation-not-found", "No such variation"


class DifferenceNotFound(NotFound):
    """No such reconciliation difference."""

    default_code, default_title = "difference-not-found", "No such difference"


class GrantNotActive(Conflict):
    """The grant is completed or closed."""

    default_code, default_title = "grant-not-active", "The grant is not active"


class NoFirstTranche(Conflict):
    """A condition of tranche 1 is recorded on a grant without one."""

    default_code, default_title = "no-first-tranche", "The grant has no first tranche to release"


class ConditionAlready(Conflict):
    """The condition was recorded before (the code names it: `agreement-signed-already`, ...)."""

    default_title = "This condition is already recorded"


class ConditionsNeedTwoPeople(Conflict):
    """Tranche 1's two conditions are recorded by two different people."""

    default_code, default_title = "conditions-need-two-people", "Someone else must record this condition"


class NotAwaitingApproval(Conflict):
    """Only a tranche awaiting approval can be approved."""

    default_code, default_title = "tranche-not-awaiting-approval", "The tranche is not awaiting approval"


class ApproverIsReleaser(Conflict):
    """Maker-checker: the releaser cannot approve the tranche."""

    default_code, default_title = "approver-is-releaser", "The releaser cannot approve this tranche"


class AlreadyReleased(Conflict):
    """Only a tranche not yet released can be held."""

    default_code, default_title = "tranche-already-released", "Only a tranche not yet released can be held"


class NotHeldByFinance(Conflict):
    """There is no finance hold to lift."""

    default_code, default_title = "tranche-not-held-by-finance", "There is no finance hold to lift"


class NotFailed(Conflict):
    """Only a failed tranche (with no live instruction) can be retried."""

    default_code, default_title = "tranche-not-failed", "Only a failed tranche can be retried"


class NotReturned(Conflict):
    """Only a returned tranche (with no live instruction) can be paid again."""

    default_code, default_title = "tranche-not-returned", "Only a returned tranche can be paid again"


class RoundBudgetUnknown(Conflict):
    """An increase in a round payments never heard of cannot be checked."""

    default_code, default_title = "round-budget-unknown", "The round's budget is not known to payments"


class OverBudget(Conflict):
    """The round's budget cannot carry the increase."""

    default_code, default_title = "over-budget", "The round's budget cannot carry this increase"


class ReportPeriodUnknown(Invalid):
    """A report accepted for a period the grant's schedule does not have (a forged or confused event)."""

    default_code, default_title = "report-period-unknown", "The grant's schedule has no such period"


class AwardOutsideRound(Invalid):
    """A grant awarded before its round opened: allocation never commits such a run."""

    default_code, default_title = "award-outside-round", "The award does not fit its round"


class BadPattern(Invalid):
    """The schedule pattern and its basis points do not fit (the title says how)."""

    default_code = "bad-pattern"


class EmptyVariation(Invalid):
    """A re-profile that changes nothing."""

    default_code, default_title = "empty-variation", "Give a new_total_pence, a pattern or both"


class VariationPending(Conflict):
    """Another variation of the grant awaits approval."""

    default_code, default_title = "variation-pending", "Another variation of this grant awaits approval"


class VariationNotPending(Conflict):
    """The variation was decided already."""

    default_code, default_title = "variation-not-pending", "The variation is not awaiting approval"


class ApproverIsRequester(Conflict):
    """Maker-checker: the requester cannot decide their own variation."""

    default_code, default_title = "approver-is-requester", "The requester cannot decide their own variation"


class VariationNotApplicable(Conflict):
    """The re-profile cannot apply to the grant as it stands."""

    default_code = "variation-not-applicable"
    default_title = "The variation cannot apply to the grant as it stands"


class PaymentsInFlight(Conflict):
    """A closure waits while a payment is on its way to the bank."""

    default_code, default_title = "payments-in-flight", "A payment of this grant is on its way to the bank"


class DifferenceAlreadyResolved(Conflict):
    """The difference was resolved already (by a match or by hand)."""

    default_code, default_title = "difference-already-resolved", "The difference is already resolved"
