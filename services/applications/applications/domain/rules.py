"""Governance and eligibility rules as data: a versioned parameter set, evaluated over plain facts."""

from dataclasses import dataclass, fields, replace
from types import MappingProxyType
from typing import Any

from grants_shared.events import RuleOutcome
from grants_shared.money import format_gbp

DEFAULT_RULES_VERSION = "cwf-governance-v1"


@dataclass(frozen=True)
class RuleSet:
    """The parameters of every rule; stored as a JSON row per version, one version in force."""

    version: str
    min_members: int = 8
    resident_share_numerator: int = 1
    resident_share_denominator: int = 2
    one_live_application_per_neighbourhood: bool = True
    min_requested_pence: int = 100_000_000
    max_requested_pence: int = 250_000_000
    min_duration_months: int = 120
    max_duration_months: int = 180
    duration_step_months: int = 6
    require_due_diligence_passed: bool = True
    fallback_max_imd_decile: int = 2

    @classmethod
    def from_params(cls, version: str, params: dict[str, Any]) -> "RuleSet":
        """Build from a stored row; unknown parameter names are refused so a typo cannot pass silently."""
        known = {f.name for f in fields(cls)} - {"version"}
        unknown = sorted(set(params) - known)
        if unknown:
            raise ValueError(f"unknown rule parameter(s) in {version}: {', '.join(unknown)}")
        return cls(version=version, **params)

    def params(self) -> dict[str, Any]:
        """The parameters as stored (without the version)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "version"}


MAIN, STARTER = "main", "starter"


@dataclass(frozen=True)
class GrantType:
    """A kind of grant: how its rules differ from the rule set in force (the main award's), as data."""

    name: str
    title: str
    overrides: MappingProxyType[str, Any]
    refuse_above_max: bool  # a request above the type's maximum is refused at once (422), not assessed
    plan_endorsement: bool  # whether tranche 1 waits for the partnership's plan to be endorsed (payments' rule)


GRANT_TYPES: MappingProxyType[str, GrantType] = MappingProxyType(
    {
        MAIN: GrantType(MAIN, "Main award", MappingProxyType({}), refuse_above_max=False, plan_endorsement=True),
        # Getting-started money for a forming partnership: small, short, fewer members, no plan endorsement yet.
        STARTER: GrantType(
            STARTER,
            "Capacity-building starter grant",
            MappingProxyType(
                {
                    "min_members": 4,
                    "min_requested_pence": 500_000,
                    "max_requested_pence": 5_000_000,
                    "min_duration_months": 6,
                    "max_duration_months": 18,
                    "duration_step_months": 6,
                }
            ),
            refuse_above_max=True,
            plan_endorsement=False,
        ),
    }
)
"""Every grant type by name; `main` is the rule set in force unchanged."""


def rules_for(rules: RuleSet, grant_type: str) -> RuleSet:
    """The rule set in force as it applies to a grant type (its version names the type unless main)."""
    kind = GRANT_TYPES[grant_type]
    if not kind.overrides:
        return rules
    return replace(rules, version=f"{rules.version}+{kind.name}", **dict(kind.overrides))


@dataclass(frozen=True)
class Membership:
    """Current (not departed) members of a partnership and how many of them are residents."""

    members: int
    residents: int


@dataclass(frozen=True)
class NeighbourhoodFacts:
    """What the registry in force says about the partnership's neighbourhood."""

    code: str
    vintage: str
    vintage_has_flag: bool
    left_behind: bool | None
    imd_decile: int


@dataclass(frozen=True)
class ApplicationFacts:
    """Everything eligibility looks at, gathered by the use case."""

    membership: Membership
    requested_pence: int
    duration_months: int
    due_diligence: str
    other_live_applications: tuple[str, ...]
    neighbourhood: NeighbourhoodFacts


def partnership_outcomes(rules: RuleSet, membership: Membership) -> list[RuleOutcome]:
    """The resident-led rules: enough members, and residents at least the required share (integer arithmetic)."""
    m, r = membership.members, membership.residents
    share_ok = r * rules.resident_share_denominator >= m * rules.resident_share_numerator and m > 0
    share = f"{rules.resident_share_numerator}/{rules.resident_share_denominator}"
    return [
        RuleOutcome(
            rule="partnership_min_members",
            passed=m >= rules.min_members,
            detail=f"{m} current member(s); at least {rules.min_members} required",
        ),
        RuleOutcome(
            rule="partnership_resident_share",
            passed=share_ok,
            detail=f"{r} of {m} current member(s) are residents; at least {share} required",
        ),
    ]


def application_outcomes(rules: RuleSet, facts: ApplicationFacts) -> list[RuleOutcome]:
    """Every rule's outcome for an application, in a fixed order."""
    return [
        *partnership_outcomes(rules, facts.membership),
        _one_live(rules, facts),
        _amount(rules, facts.requested_pence),
        _duration(rules, facts.duration_months),
        _due_diligence(rules, facts.due_diligence),
        left_behind_outcome(rules, facts.neighbourhood),
    ]


def is_eligible(outcomes: list[RuleOutcome]) -> bool:
    """Eligible when every rule passed."""
    return all(o.passed for o in outcomes)


def _one_live(rules: RuleSet, facts: ApplicationFacts) -> RuleOutcome:
    others = facts.other_live_applications
    if not rules.one_live_application_per_neighbourhood or not others:
        detail = f"no other live application for {facts.neighbourhood.code}"
        return RuleOutcome(rule="one_live_application_per_neighbourhood", passed=True, detail=detail)
    detail = f"{facts.neighbourhood.code} already has a live application: {', '.join(others)}"
    return RuleOutcome(rule="one_live_application_per_neighbourhood", passed=False, detail=detail)


def _amount(rules: RuleSet, pence: int) -> RuleOutcome:
    low, high = rules.min_requested_pence, rules.max_requested_pence
    return RuleOutcome(
        rule="requested_amount_in_range",
        passed=low <= pence <= high,
        detail=f"requested {format_gbp(pence)}; must be between {format_gbp(low)} and {format_gbp(high)}",
    )


def _duration(rules: RuleSet, months: int) -> RuleOutcome:
    low, high, step = rules.min_duration_months, rules.max_duration_months, rules.duration_step_months
    passed = low <= months <= high and (months - low) % step == 0
    return RuleOutcome(
        rule="duration_in_range",
        passed=passed,
        detail=f"{months} months; must be {low} to {high} in steps of {step}",
    )


def _due_diligence(rules: RuleSet, status: str) -> RuleOutcome:
    passed = status == "passed" or not rules.require_due_diligence_passed
    return RuleOutcome(
        rule="organisation_due_diligence_passed", passed=passed, detail=f"organisation due diligence is {status}"
    )


def left_behind_outcome(rules: RuleSet, n: NeighbourhoodFacts) -> RuleOutcome:
    """Left behind by the vintage's official flag when it has one, else IMD decile within the fallback."""
    if n.vintage_has_flag:
        passed = n.left_behind is True
        flag = {True: "flagged", False: "not flagged", None: "not covered by the CNI"}[n.left_behind]
        detail = f"{n.code} is {flag} left behind in {n.vintage}"
    else:
        passed = n.imd_decile <= rules.fallback_max_imd_decile
        detail = (
            f"{n.vintage} has no left-behind flag; {n.code} is in IMD decile {n.imd_decile} "
            f"(by population-weighted mean rank); deciles 1-{rules.fallback_max_imd_decile} qualify"
        )
    return RuleOutcome(rule="neighbourhood_left_behind", passed=passed, detail=detail)
