"""Release conditions as data: what must be true before a tranche is released, and why it is not yet."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

AGREEMENT_SIGNED = "agreement_signed"
PLAN_ENDORSED = "plan_endorsed"
PREVIOUS_REPORT_ACCEPTED = "previous_report_accepted"
PARTNERSHIP_COMPLIANT = "partnership_compliant"

DESCRIPTIONS: Mapping[str, str] = {
    AGREEMENT_SIGNED: "the grant agreement is signed",
    PLAN_ENDORSED: "the partnership's plan is endorsed",
    PREVIOUS_REPORT_ACCEPTED: "the report for the previous tranche is accepted",
    PARTNERSHIP_COMPLIANT: "the resident partnership meets the composition rule",
}
FIRST_TRANCHE = (AGREEMENT_SIGNED, PLAN_ENDORSED)
LATER_TRANCHES = (PREVIOUS_REPORT_ACCEPTED, PARTNERSHIP_COMPLIANT)
# A starter grant comes before the partnership has a plan: tranche 1 waits for the signed agreement alone.
FIRST_TRANCHE_BY_TYPE: Mapping[str, tuple[str, ...]] = {"main": FIRST_TRANCHE, "starter": (AGREEMENT_SIGNED,)}


class ConditionError(ValueError):
    """Conditions or facts are malformed (unknown condition name, bad tranche number)."""


@dataclass(frozen=True)
class ReleaseConditions:
    """The named conditions a tranche needs before release."""

    tranche_number: int
    required: tuple[str, ...]

    @classmethod
    def for_tranche(cls, number: int, grant_type: str = "main") -> ReleaseConditions:
        """Standard conditions: tranche 1 needs agreement and plan (a starter grant: agreement only); later ones
        report and compliance."""
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            raise ConditionError(f"tranche number must be a positive integer, got {number!r}")
        first = FIRST_TRANCHE_BY_TYPE.get(grant_type, FIRST_TRANCHE)
        return cls(number, first if number == 1 else LATER_TRANCHES)


def evaluate(conditions: ReleaseConditions | Iterable[str], facts: Mapping[str, bool]) -> list[str]:
    """Unmet reasons in the conditions' order (empty: releasable). Only a fact of exactly True counts."""
    names = conditions.required if isinstance(conditions, ReleaseConditions) else tuple(conditions)
    unknown = [name for name in names if name not in DESCRIPTIONS]
    if unknown:
        raise ConditionError(f"unknown release conditions: {', '.join(unknown)}")
    reasons = []
    for name in names:
        fact = facts.get(name)
        if fact is None:
            reasons.append(f"{name}: not yet known ({DESCRIPTIONS[name]}: no fact recorded)")
        elif fact is not True:
            reasons.append(f"{name}: not met (needs: {DESCRIPTIONS[name]})")
    return reasons
