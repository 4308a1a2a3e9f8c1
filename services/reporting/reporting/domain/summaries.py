"""One line in words for each event on a grant's timeline."""

from collections.abc import Callable
from typing import Any

from grants_shared.money import format_gbp

Summary = Callable[[dict[str, Any]], str]


def _money(payload: dict[str, Any], field: str = "amount_pence") -> str:
    value = payload.get(field)
    return format_gbp(value) if isinstance(value, int) else "?"


def _version(p: dict[str, Any]) -> str:
    version = p.get("version")
    return f" (version {version})" if isinstance(version, int) else ""


def _days(count: Any) -> str:
    return "1 day" if count == 1 else f"{count} days"


def _decision(p: dict[str, Any]) -> str:
    if p.get("awarded"):
        rank = f"rank {p.get('rank')} of {p.get('ranked_of')}"
        return f"Allocation decided: awarded {_money(p, 'awarded_pence')} ({rank})"
    return f"Allocation decided: not awarded ({p.get('outcome')})"


def _assessed(p: dict[str, Any]) -> str:
    failed = [o.get("rule") for o in p.get("outcomes", []) if not o.get("passed")]
    if p.get("eligible"):
        return f"Application assessed: eligible under rules {p.get('rules_version')}"
    return f"Application assessed: ineligible ({', '.join(str(r) for r in failed) or 'no reason given'})"


SUMMARIES: dict[str, Summary] = {
    "application-submitted": lambda p: (
        f"Application submitted (version {p.get('version')}) "
        f"requesting {_money(p, 'requested_pence')} over {p.get('duration_months')} months"
    ),
    "application-assessed": _assessed,
    "application-withdrawn": lambda p: f"Application withdrawn: {p.get('reason')}",
    "partnership-changed": lambda p: (
        f"Partnership changed: {p.get('member_count')} members, "
        f"{p.get('resident_count')} residents, {'compliant' if p.get('compliant') else 'not compliant'}"
    ),
    "neighbourhood-registry-updated": lambda p: f"Neighbourhood registry {p.get('vintage')} in force",
    "round-opened": lambda p: f"Round {p.get('name')} opened with budget {_money(p, 'budget_pence')}",
    "round-closed": lambda p: f"Round {p.get('round_id')} closed",
    "allocation-decided": _decision,
    "grant-awarded": lambda p: (
        f"Grant awarded: {_money(p)} over {p.get('duration_months')} months "
        f"to neighbourhood {p.get('neighbourhood_code')}"
    ),
    "tranche-scheduled": lambda p: (
        f"Tranche {p.get('number')} of {p.get('of_tranches')} scheduled: {_money(p)} due {p.get('due_on')}"
    ),
    "tranche-released": lambda p: f"Tranche {p.get('number')} released: {_money(p)}",
    "tranche-held": lambda p: f"Tranche {p.get('number')} held: {'; '.join(p.get('reasons', []))}",
    "payment-instructed": lambda p: f"Payment of {_money(p)} instructed via {p.get('provider')}",
    "payment-settled": lambda p: f"Payment of {_money(p)} settled",
    "payment-failed": lambda p: f"Payment of {_money(p)} failed: {p.get('reason')}",
    "payment-returned": lambda p: f"Payment of {_money(p)} returned: {p.get('reason')}",
    "grant-completed": lambda p: (
        f"Grant completed: {_money(p, 'paid_pence')} paid of {_money(p, 'awarded_pence')} awarded"
    ),
    "report-submitted": lambda p: f"Impact report for period {p.get('period_number')}{_version(p)} submitted",
    "report-accepted": lambda p: f"Impact report for period {p.get('period_number')}{_version(p)} accepted",
    "report-changes-requested": lambda p: (
        f"Changes requested to the impact report for period {p.get('period_number')}: {'; '.join(p.get('reasons', []))}"
    ),
    "report-reminder-due": lambda p: (
        f"Reminder: the impact report for period {p.get('period_number')} is due on {p.get('due_on')} "
        f"({_days(p.get('days_left'))} left)"
    ),
    "report-overdue": lambda p: (
        f"Impact report for period {p.get('period_number')} overdue: due on {p.get('due_on')}, "
        f"{_days(p.get('days_overdue'))} late"
    ),
}


def summarise(event_type: str, payload: dict[str, Any]) -> str:
    """A short sentence describing an event, for people reading a timeline."""
    describe = SUMMARIES.get(event_type)
    return describe(payload) if describe else event_type.replace("-", " ").capitalize()
