"""The dashboard's chart of obligations against the drawdown plan, financial year by financial year, for 15 years."""

from html import escape

from sqlalchemy.orm import Session

from grants_shared.money import format_gbp
from reporting.read.obligations import CHART_YEARS, obligations_view

ROW, LABEL, WIDTH = 22, 70, 420
PLAN_FILL, OWED_FILL, OVER_FILL = "#cbd5e1", "#2b6cb0", "#b42318"


def _bar(i: int, year: str, owed: int, limit: int | None, top: int) -> str:
    y = 4 + i * ROW
    owed_width = owed * WIDTH // top
    plan = (
        ""
        if limit is None
        else f'<rect x="{LABEL}" y="{y + 2}" width="{limit * WIDTH // top}" height="{ROW - 4}" fill="{PLAN_FILL}"/>'
    )
    fill = OVER_FILL if limit is not None and owed > limit else OWED_FILL
    said = f"{format_gbp(owed)} of {format_gbp(limit) if limit is not None else 'no limit'}"
    return (
        f'<text x="{LABEL - 6}" y="{y + 15}" text-anchor="end">{escape(year)}</text>{plan}'
        f'<rect x="{LABEL}" y="{y + 6}" width="{owed_width}" height="{ROW - 12}" fill="{fill}"/>'
        f'<text x="{LABEL + WIDTH + 6}" y="{y + 15}">{escape(said)}</text>'
    )


def obligations_chart(session: Session) -> str:
    """A section: each year's obligations (blue, red when over) on its plan limit (grey), with the plan version."""
    view = obligations_view(session, CHART_YEARS)
    rows = view["years"]
    top = max([1, *(r["obligations_pence"] for r in rows), *(r["limit_pence"] or 0 for r in rows)])
    bars = "".join(_bar(i, r["year"], r["obligations_pence"], r["limit_pence"], top) for i, r in enumerate(rows))
    title = f"Obligations against the drawdown plan ({view['plan_version']}), next {CHART_YEARS} years"
    over = [r["year"] for r in rows if r["over"]]
    note = f'<p class="warn">Over the plan in {escape(", ".join(over))}.</p>' if over else ""
    return (
        f"<h2>Obligations against the plan</h2>{note}<figure><figcaption>{escape(title)}</figcaption>"
        f'<svg role="img" aria-label="{escape(title)}" width="{LABEL + WIDTH + 260}" height="{ROW * len(rows) + 8}" '
        f'xmlns="http://www.w3.org/2000/svg">{bars}</svg></figure>'
    )
