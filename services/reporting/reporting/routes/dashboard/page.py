"""The operator dashboard page: fund position, least-first share, tranches due, reconciliation, pipeline health."""

from dataclasses import dataclass
from html import escape
from typing import Any

from grants_shared.delivery.lag import GroupLag
from grants_shared.http.headers import page_policy, source_hash
from grants_shared.money import format_gbp
from reporting.adapters.orm import ReconciliationDifference
from reporting.domain.indicators import LABELS
from reporting.read.health import LAG_CAP, PipelineHealth
from reporting.read.pipeline import DueTranche
from reporting.routes.dashboard.sections import figures_table, linked_figures, percent, table
from reporting.routes.dashboard.share import held_section, reports_section, share_section
from reporting.routes.dashboard.svg import bar_chart

STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#1b1b1b;max-width:1100px}
h1{font-size:1.5rem}h2{font-size:1.15rem;border-bottom:1px solid #ccc;padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0}td,th{padding:.25rem .6rem;border-bottom:1px solid #eee;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}.bar{fill:#2b6cb0}.warn{color:#b42318;font-weight:600}
caption{text-align:left;font-weight:600}.skip{position:absolute;left:-999px}.skip:focus{left:1rem}
figure{margin:.5rem 0}figcaption{font-weight:600}svg text{font-size:12px}.empty{color:#666}.age{color:#555}
"""
# The page is one document with its own inline <style> and inline SVG charts: no script, no image, no font to fetch.
POLICY = page_policy(style_src=source_hash(STYLE))


@dataclass(frozen=True)
class DashboardData:
    """Everything the page shows, already read."""

    position: dict[str, Any]
    due: list[DueTranche]
    applications: dict[str, int]
    outcomes: dict[str, Any]
    health: PipelineHealth
    differences: list[ReconciliationDifference]
    resolved: list[ReconciliationDifference]
    own: GroupLag  # reporting's consumer group: how fresh every read-model section is
    figures: dict[str, Any]  # least first against population, held tranches, reports due (figures.py)
    # Sections other modules add after the fund position (the obligations-by-year chart goes here), as HTML
    # starting with their <h2>.
    extra_sections: tuple[str, ...] = ()


def _seconds(value: float) -> str:
    return f"{value:.0f} s" if value >= 10 else f"{value:.1f} s"


def age_line(lag: GroupLag) -> str:
    """'Figures as of <last event applied>, N s ago; P pending, U unread, K parked': how stale a section may be."""
    if lag.last_applied_at is None:
        said = "No event applied yet"
    else:
        said = (
            f"Figures as of {lag.last_applied_at.strftime('%Y-%m-%d %H:%M:%S')} UTC (last event applied), "
            f"{_seconds(lag.seconds_since_applied or 0.0)} ago"
        )
    if lag.redis_error:
        return f'<p class="age warn">{escape(said)}; backlog unknown: Redis did not answer.</p>'
    backlog = f"{lag.pending} pending, {_count(lag.lag)} unread, {lag.parked} parked"
    if lag.behind:
        backlog += f"; the oldest waiting event was published {_seconds(lag.oldest_waiting_age_s)} ago"
    css = "age warn" if lag.behind or lag.parked else "age"
    return f'<p class="{css}">{escape(said)}; {escape(backlog)}.</p>'


def _count(lag: int) -> str:
    return f"{lag}+" if lag >= LAG_CAP else str(lag)


def _fund(p: dict[str, Any]) -> str:
    names = ["budget", "committed", "paid_gross", "returned", "paid_net", "remaining", "unpaid_commitments", "released"]
    rows = [(n.replace("_", " ").capitalize(), format_gbp(p[f"{n}_pence"])) for n in names]
    rows[-1] = ("Released by early closures", rows[-1][1])
    rows += [("Grants", str(p["grants"])), ("Closed early", str(p["grants_closed"])), ("Rounds", str(p["rounds"]))]
    chart = bar_chart("Fund money", [(n.capitalize(), p[f"{n}_pence"]) for n in names[:5]], format_gbp)
    return "<h2>Fund position</h2>" + figures_table(rows, [n.replace("_", "-") for n in names]) + chart


def _least_first(lf: dict[str, Any], region_names: dict[str, str]) -> str:
    deciles = [(f"Decile {k}", v["committed_pence"]) for k, v in lf["by_decile"].items()]
    regions = [(region_names.get(k, k), v["committed_pence"]) for k, v in lf["by_region"].items()]
    return (
        "<h2>Least first</h2>"
        f'<p>Share of committed money to IMD decile 1 neighbourhoods: <strong id="decile-1-share">'
        f"{percent(lf['decile_1_share_bp'])}</strong> ({lf['decile_1_share_bp']} basis points)</p>"
        + bar_chart("Committed by IMD decile", deciles, format_gbp)
        + bar_chart("Committed by region", regions, format_gbp)
    )


def _region_names(figures: dict[str, Any]) -> dict[str, str]:
    return {r["key"]: r["name"] for r in figures["share_against_population"]["by_region"]}


def _tranches(p: dict[str, Any], due: list[DueTranche]) -> str:
    summary = linked_figures(
        [
            (
                "tranches-due",
                "Tranches due (by today, unpaid)",
                f"{p['tranches_due']} ({format_gbp(p['tranches_due_pence'])})",
            ),
            (
                "tranches-overdue",
                "Tranches overdue",
                f"{p['tranches_overdue']} ({format_gbp(p['tranches_overdue_pence'])})",
            ),
        ]
    )
    rows = [
        [
            t.grant_id,
            t.neighbourhood_code or "?",
            f"{t.number} of {t.of_tranches}",
            t.due_on.isoformat(),
            format_gbp(t.amount_pence),
            t.status,
            "overdue" if t.overdue else "due",
        ]
        for t in due
    ]
    header = ["Grant", "Neighbourhood", "Tranche", "Due on", "Amount", "Status", ""]
    return "<h2>Tranches due and overdue</h2>" + summary + table(header, rows)


def _applications(counts: dict[str, int], outcomes: dict[str, Any]) -> str:
    reported = [(LABELS.get(k, k), v) for k, v in outcomes["totals"].items()]
    return (
        "<h2>Applications and outcomes</h2>"
        + bar_chart("Applications by status", [(k.replace("_", " "), v) for k, v in counts.items()])
        + bar_chart(f"Outcomes in {outcomes['accepted_reports']} accepted reports", reported)
    )


def _group_row(lag: GroupLag) -> list[str]:
    own = lag.group == "reporting"  # parked events live in each service's database; the page reads reporting's
    return [
        lag.group,
        str(len(lag.streams)),
        str(lag.pending),
        _count(lag.lag),
        _seconds(lag.oldest_pending_age_s) if lag.pending else "-",
        str(lag.parked) if own else "see /metrics",
        str(lag.dead_letters),
    ]


def _health(h: PipelineHealth) -> str:
    if h.error:
        return f'<h2>Pipeline health</h2><p class="warn">{escape(h.error)}</p>'
    dead = sum(h.dead_letters.values())
    note = f'<p class="warn">{dead} dead letters waiting</p>' if dead else "<p>No dead letters.</p>"
    busy = [
        [g.group, g.stream, str(g.consumers), str(g.pending), _count(g.lag)] for g in h.groups if g.pending or g.lag
    ]
    header = ["Group", "Streams", "Pending", "Unread (lag)", "Oldest pending", "Parked", "Dead letters"]
    return (
        "<h2>Pipeline health</h2>"
        + note
        + table(header, [_group_row(lag) for lag in h.lags])
        + "<h3>Streams with events waiting</h3>"
        + table(["Group", "Stream", "Consumers", "Pending", "Unread (lag)"], busy)
        + bar_chart("Dead letters by consumer group", list(h.dead_letters.items()))
    )


def _pence(value: int | None) -> str:
    return "-" if value is None else format_gbp(value)


def _difference_row(d: ReconciliationDifference) -> list[str]:
    return [
        d.found_at.strftime("%Y-%m-%d %H:%M"),
        d.kind.replace("_", " "),
        d.grant_id or "-",
        d.instruction_id or "-",
        _pence(d.bank_amount_pence),
        _pence(d.ledger_amount_pence),
        d.detail,
    ]


def _reconciliation(
    p: dict[str, Any], open_rows: list[ReconciliationDifference], resolved: list[ReconciliationDifference]
) -> str:
    count = p["reconciliation_differences_open"]
    note = (
        f'<p class="warn" id="reconciliation-open">{count} open differences between the bank and the ledger '
        f"({format_gbp(p['reconciliation_differences_open_bank_pence'])} on the bank's side)</p>"
        if count
        else '<p id="reconciliation-open">No open differences: the bank\'s report matches the ledger.</p>'
    )
    header = ["Found", "Kind", "Grant", "Instruction", "Bank", "Ledger", "Detail"]
    done = [
        [
            d.resolved_at.strftime("%Y-%m-%d %H:%M") if d.resolved_at else "",
            *_difference_row(d)[1:4],
            d.resolved_by or "",
            d.resolution_note or "matched since",
        ]
        for d in resolved
    ]
    return (
        "<h2>Reconciliation with the bank</h2>"
        + note
        + table(header, [_difference_row(d) for d in open_rows])
        + "<h3>Recently resolved</h3>"
        + table(["Resolved", "Kind", "Grant", "Instruction", "By", "Why"], done)
    )


def _after_heading(section: str, line: str) -> str:
    heading_end = section.index("</h2>") + len("</h2>")
    return section[:heading_end] + line + section[heading_end:]


def render(data: DashboardData, refresh_s: int) -> str:
    """The whole page as HTML."""
    refresh = f'<meta http-equiv="refresh" content="{refresh_s}">' if refresh_s else ""
    age = age_line(data.own)
    sections = [
        _fund(data.position),
        *data.extra_sections,
        _least_first(data.position["least_first"], _region_names(data.figures)),
        share_section(data.figures["share_against_population"]),
        _tranches(data.position, data.due),
        held_section(data.figures),
        reports_section(data.figures),
        _reconciliation(data.position, data.differences, data.resolved),
        _applications(data.applications, data.outcomes),
    ]
    body = "".join(_after_heading(section, age) for section in sections) + _health(data.health)
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">{refresh}'
        f"<title>Community Wealth Fund: operator dashboard</title><style>{STYLE}</style></head>"
        f'<body><a class="skip" href="#main">Skip to content</a><main id="main">'
        f"<h1>Community Wealth Fund: operator dashboard</h1>"
        f"<p>Position as of {escape(data.position['as_of'])}.</p>{body}</main></body></html>"
    )
