"""One readable sentence per decision; this per-row version is the reference the fast builder matches."""

from __future__ import annotations

from allocation.domain.need import format_score
from allocation.domain.result import AllocationResult, Constraint, Outcome

DUPLICATE_TAIL = "not funded: one award per neighbourhood, and one with an earlier application id ranks ahead."
NOT_LEFT_BEHIND = "Not eligible: the neighbourhood is not a 'left behind' ward."


def format_gbp(pence: int) -> str:
    """Integer pence as pounds with thousands separators: 150000000 -> '£1,500,000', 150 -> '£1.50'."""
    if pence < 0:
        return "-" + format_gbp(-pence)
    pounds, rest = divmod(pence, 100)
    return f"£{pounds:,}.{rest:02d}" if rest else f"£{pounds:,}"


def ordinal(n: int) -> str:
    """1 -> '1st', 12 -> '12th', 1023 -> '1,023rd'."""
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n:,}{suffix}"


def head(rank: int, n_eligible: int, need_bp: int) -> str:
    """The opening every ranked decision shares."""
    return f"Ranked {ordinal(rank)} of {n_eligible:,} by need (score {format_score(need_bp)}): "


def ineligible_text(result: AllocationResult, decile: int) -> str:
    """Why a neighbourhood is outside the policy's eligibility rule."""
    if result.policy.eligibility == "left_behind":
        return NOT_LEFT_BEHIND
    return f"Not eligible: the neighbourhood is in IMD decile {decile}; only deciles 1-2 are eligible."


def region_cap_tail(result: AllocationResult, region: str) -> str:
    """Tail for an application declined by its region's cap."""
    cap = format_gbp(result.policy.region_caps[region])
    return f"not funded: the {cap} cap for {region} was reached by better-ranked neighbourhoods in the region."


def budget_spent_tail(result: AllocationResult, left: int) -> str:
    """Tail for an application declined because the budget ran out at a better-ranked one."""
    policy = result.policy
    if left == 0:
        budget = format_gbp(policy.available_pence)
        floors = " and region floors" if any(policy.region_floors.values()) else ""
        return f"not funded, the budget ({budget}) was spent by better-ranked neighbourhoods{floors}."
    if policy.partial_awards:
        return (
            f"not funded: only {format_gbp(left)} of the budget was left after better-ranked "
            f"neighbourhoods, less than the {format_gbp(policy.min_award_pence)} minimum award."
        )
    return (
        f"not funded: the budget ran out at a better-ranked neighbourhood whose award did not fit the "
        f"{format_gbp(left)} left, and awards go strictly in rank order."
    )


def drawdown_spent_tail(result: AllocationResult) -> str:
    """Tail for an application declined because the drawdown plan stopped the walk at a better-ranked one."""
    return (
        f"not funded: the walk stopped where a better-ranked award would exceed the {result.plan_year} "
        "drawdown limit, and awards go strictly in rank order."
    )


def drawdown_limit_tail(result: AllocationResult, i: int) -> str:
    """Tail for the application whose award would take a financial year over the drawdown plan."""
    award = format_gbp(int(result.award_pence[i]))
    return f"not funded: its {award} award would exceed the {result.plan_year} drawdown limit."


def _awarded_tail(result: AllocationResult, i: int, constraint: Constraint, region: str) -> str:
    """Tail for an award, naming what shaped its amount."""
    awarded = format_gbp(int(result.awarded_pence[i]))
    left = f"; {format_gbp(int(result.budget_left_pence[i]))} of the budget left."
    requested = format_gbp(int(result.applications.requested_pence[i]))
    if constraint == Constraint.MIN_AWARD:
        return f"awarded {awarded}, the minimum award ({requested} requested){left}"
    if constraint == Constraint.MAX_AWARD:
        return f"awarded {awarded}, the maximum award ({requested} requested){left}"
    if constraint == Constraint.REGION_FLOOR:
        floor = format_gbp(result.policy.region_floors[region])
        return f"awarded {awarded} from the {floor} floor reserved for {region}{left}"
    if constraint == Constraint.REGION_CAP:
        cap = format_gbp(result.policy.region_caps[region])
        whole = format_gbp(int(result.award_pence[i]))
        return f"awarded {awarded} of its {whole} award, all that was left under the {cap} cap for {region}{left}"
    if constraint == Constraint.BUDGET:
        whole = format_gbp(int(result.award_pence[i]))
        return f"awarded {awarded} of its {whole} award, all that was left of the budget."
    return f"awarded {awarded}{left}"


def tail(result: AllocationResult, i: int) -> str:
    """What happened to ranked application row i, after the shared opening."""
    outcome = Outcome(int(result.outcome[i]))
    constraint = Constraint(int(result.constraint[i]))
    neighbourhoods = result.neighbourhoods
    region = neighbourhoods.region_names[int(neighbourhoods.region[result.applications.neighbourhood[i]])]
    left = int(result.budget_left_pence[i])
    if outcome in (Outcome.AWARDED, Outcome.AWARDED_PARTIAL):
        return _awarded_tail(result, i, constraint, region)
    if outcome == Outcome.DUPLICATE_NEIGHBOURHOOD:
        return DUPLICATE_TAIL
    if outcome == Outcome.NOT_FUNDED_REGION_CAP:
        return region_cap_tail(result, region)
    if constraint == Constraint.DRAWDOWN_LIMIT:
        return drawdown_limit_tail(result, i)
    if constraint == Constraint.DRAWDOWN_SPENT:
        return drawdown_spent_tail(result)
    if constraint == Constraint.BUDGET_SPENT:
        return budget_spent_tail(result, left)
    if result.policy.partial_awards:
        return (
            f"not funded: the {format_gbp(left)} of the budget left was less than the "
            f"{format_gbp(result.policy.min_award_pence)} minimum award."
        )
    return (
        f"not funded: its {format_gbp(int(result.award_pence[i]))} award did not fit the "
        f"{format_gbp(left)} of the budget left, and partial awards are not allowed."
    )


def rationale_for(result: AllocationResult, i: int) -> str:
    """The sentence explaining the decision on input row i."""
    if result.outcome[i] == Outcome.INELIGIBLE:
        decile = int(result.neighbourhoods.imd_decile[result.applications.neighbourhood[i]])
        return ineligible_text(result, decile)
    return head(int(result.rank[i]), result.n_eligible, int(result.need_bp[i])) + tail(result, i)
