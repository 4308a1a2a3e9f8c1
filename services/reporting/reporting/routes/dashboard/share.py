"""Dashboard sections: least first against population, held tranches, reports due and overdue."""

from html import escape
from typing import Any

from grants_shared.money import format_gbp
from reporting.routes.dashboard.sections import LIST_PATH, linked_figures, percent, table


def _share_rows(rows: list[dict[str, Any]], label: str) -> list[list[str]]:
    return [
        [
            f"{r['name']} ({r['key']})" if label == "Region" else r["name"],
            format_gbp(r["committed_pence"]),
            percent(r["money_share_bp"]),
            str(r["grants"]),
            percent(r["grants_share_bp"]),
            f"{r['people']:,}",
            percent(r["people_share_bp"]),
        ]
        for r in rows
    ]


def share_section(share: dict[str, Any]) -> str:
    """Money and grants by IMD decile and by region, beside the share of England's people living there."""
    header = ["", "Committed", "Share of money", "Grants", "Share of grants", "People", "Share of people"]
    source = share["population_source"]
    note = (
        f'<p class="age">People: {escape(source)}, by the LSOA\'s IMD 2019 decile and its region.</p>'
        if source
        else '<p class="warn">Population not shown: GRANTS_REFERENCE_DATA_DIR is not set or unreadable.</p>'
    )
    return (
        "<h2>Least first against population</h2>"
        + note
        + table(
            ["IMD decile", *header[1:]],
            _share_rows(share["by_decile"], "Decile"),
            "Money, grants and people by IMD decile",
        )
        + table(
            ["Region", *header[1:]], _share_rows(share["by_region"], "Region"), "Money, grants and people by region"
        )
    )


def held_section(figures: dict[str, Any]) -> str:
    """How many tranches are held and for how much, and each with its reasons."""
    rows = [
        [
            h["grant_id"],
            h["neighbourhood_code"] or "?",
            str(h["number"]),
            h["due_on"],
            format_gbp(h["amount_pence"]),
            "; ".join(h["reasons"]) or "(no reason recorded)",
        ]
        for h in figures["lists"]["held-tranches"]
    ]
    summary = linked_figures(
        [
            (
                "held-tranches",
                "Tranches held",
                f"{figures['held_tranches']} ({format_gbp(figures['held_tranches_pence'])})",
            )
        ]
    )
    return (
        "<h2>Held tranches</h2>"
        + summary
        + table(["Grant", "Neighbourhood", "Tranche", "Due on", "Amount", "Reasons"], rows, "Tranches held, and why")
    )


def reports_section(figures: dict[str, Any]) -> str:
    """How many period reports are due in the next 30 days and how many are overdue."""
    summary = linked_figures(
        [
            ("reports-due", "Reports due in the next 30 days", str(figures["reports_due"])),
            ("reports-overdue", "Reports overdue", str(figures["reports_overdue"])),
        ]
    )
    return (
        "<h2>Reports due and overdue</h2>"
        + summary
        + f'<p class="age">A report on period n is due when tranche n + 1 falls due; see '
        f'<a href="{LIST_PATH}reports-due">due</a> and <a href="{LIST_PATH}reports-overdue">overdue</a>.</p>'
    )
