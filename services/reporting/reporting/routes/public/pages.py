"""The public pages as HTML: the fund-wide page and one page per neighbourhood."""

from html import escape
from typing import Any

from grants_shared.money import format_gbp
from reporting.domain.indicators import LABELS
from reporting.routes.public.html import figures, link, page, table


def _label(indicator: str) -> str:
    return LABELS.get(indicator, indicator.replace("_", " ").capitalize())


def fund_page(fund: dict[str, Any]) -> str:
    """The fund-wide page."""
    money = figures(
        "The fund's money",
        [
            ("budget", "Budget", format_gbp(fund["budget_pence"])),
            ("committed", "Committed to neighbourhoods", format_gbp(fund["committed_pence"])),
            ("paid-net", "Paid to neighbourhoods", format_gbp(fund["paid_net_pence"])),
        ],
    )
    reach = figures(
        "Grants and neighbourhoods",
        [
            ("grants", "Grants awarded", str(fund["grants"])),
            ("neighbourhoods-funded", "Neighbourhoods funded", str(fund["neighbourhoods_funded"])),
            ("applications", "Applications received", str(fund["applications"])),
            ("neighbourhoods-applied", "Neighbourhoods that applied", str(fund["neighbourhoods_applied"])),
        ],
    )
    outcomes = table(
        f"Outcomes reported in {fund['accepted_reports']} accepted reports",
        ["Outcome", "Total reported"],
        [[_label(k), f"{v:,}"] for k, v in fund["outcomes"].items()],
        numeric={1},
    )
    rows = [
        [
            link(f"/public/neighbourhoods/{n['code']}", n["name"] or n["code"]),
            n["code"],
            n["region"] or "",
            format_gbp(n["awarded_pence"]),
            format_gbp(n["paid_net_pence"]),
        ]
        for n in fund["neighbourhoods"]
    ]
    funded = table(
        "Funded neighbourhoods", ["Neighbourhood", "Ward code", "Region", "Awarded", "Paid"], rows, numeric={3, 4}
    )
    body = (
        "<p>The Community Wealth Fund gives long-term grants to the neighbourhoods most left behind, to spend as "
        "their residents decide.</p>"
        f"<h2>Money</h2>{money}<h2>Reach</h2>{reach}<h2>Outcomes</h2>{outcomes}<h2>Neighbourhoods</h2>{funded}"
    )
    return page("Community Wealth Fund: where the money goes", body)


def neighbourhood_page(n: dict[str, Any]) -> str:
    """One neighbourhood's page."""
    title = f"{n['name'] or n['code']} ({n['code']})"
    about = [("ward-code", "Ward code", n["code"])]
    about += [
        (key, name, str(n[key])) for key, name in (("district", "Local authority"), ("region", "Region")) if n[key]
    ]
    if n["imd_decile"] is not None:
        about.append(("imd-decile", "Index of Multiple Deprivation decile (1 = most deprived)", str(n["imd_decile"])))
    body = "<h2>About this neighbourhood</h2>" + figures("The neighbourhood", about)
    body += "<h2>Application and decision</h2>" + _decision(n)
    body += "<h2>Money</h2>" + figures(
        "Money for this neighbourhood",
        [
            ("awarded", "Awarded", format_gbp(n["awarded_pence"])),
            ("paid-net", "Paid so far", format_gbp(n["paid_net_pence"])),
        ],
    )
    outcomes = [[str(o["period"]), _label(o["indicator"]), f"{o['value']:,}"] for o in n["outcomes"]]
    body += "<h2>Outcomes reported</h2>" + table(
        "Outcomes in accepted reports, by report period", ["Period", "Outcome", "Reported"], outcomes, numeric={2}
    )
    return page(title, body)


def _decision(n: dict[str, Any]) -> str:
    if not n["applied"]:
        return '<p id="applied">This neighbourhood has not applied to the fund.</p>'
    said = '<p id="applied">This neighbourhood applied to the fund.</p>'
    if not n["decisions"]:
        return said + "<p>No decision has been made yet.</p>"
    rows = [
        [
            d["decided_on"],
            "Awarded" if d["awarded"] else "Not awarded",
            format_gbp(d["awarded_pence"]) if d["awarded"] else "-",
            d["rationale"],
        ]
        for d in n["decisions"]
    ]
    return said + table("Decisions", ["Decided on", "Decision", "Amount", "Why"], rows, numeric={2})


def not_found_page(code: str) -> str:
    """The page for a ward code the fund does not know."""
    body = (
        f"<p>No neighbourhood with the ward code {escape(code)} is known to the fund.</p>"
        '<p><a href="/public/">See every funded neighbourhood</a>.</p>'
    )
    return page("Neighbourhood not found", body)
