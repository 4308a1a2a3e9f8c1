"""`grants stress`: the fund's current commitments against a shocked drawdown plan; it reads, it changes nothing.

The endowment falls by a share (every year of the plan with it), and the plan may be cut by a further share from a
given financial year; allocation's GET /fund/stress answers with the years over the shocked plan and the grants
paid in those years.
"""

import re
from typing import TYPE_CHECKING, Annotated, Any

import typer

from grants_cli.allocation_commands import DEFAULT_URL, AsJson, BaseUrl, Token, _run

if TYPE_CHECKING:
    from rich.console import Console

SHARE = re.compile(r"(?P<whole>\d{1,3})(\.(?P<part>\d{1,2}))?%?")
YEAR = re.compile(r"\d{4}-\d{2}")
SHOWN = 20


def parse_share(text: str) -> int:
    """A percentage as basis points: '20%' -> 2000, '12.5' -> 1250; at most 100%."""
    match = SHARE.fullmatch(text.strip())
    if match is None:
        raise typer.BadParameter(f"{text!r} is not a percentage like 20% or 12.5%")
    bps = int(match["whole"]) * 100 + int((match["part"] or "0").ljust(2, "0"))
    if bps > 10_000:
        raise typer.BadParameter(f"{text!r} is more than 100%")
    return bps


def _pounds(pence: int | None) -> str:
    from grants_shared.money import format_gbp

    return "no limit" if pence is None else format_gbp(pence)


def show_stress(console: "Console", body: dict[str, Any]) -> None:
    """The years against the shocked plan (at risk in red), then the grants at risk."""
    from rich.table import Table

    table = Table(title=f"Obligations against the shocked plan ({body['plan_version']})")
    for column in ("Year", "Obligations", "Shocked limit", "Headroom"):
        table.add_column(column, justify="right" if column != "Year" else "left")
    for row in body["years"]:
        style = "red" if row["over"] else None
        headroom = row["headroom_pence"]
        table.add_row(
            row["year"], _pounds(row["obligations_pence"]), _pounds(row["limit_pence"]), _pounds(headroom), style=style
        )
    console.print(table)
    at_risk = body["years_at_risk"]
    console.print(f"Years at risk: {', '.join(at_risk) if at_risk else 'none'}")
    console.print(f"Grants at risk: {body['grants_at_risk']}")
    for grant in body["grants"][:SHOWN]:
        console.print(f"  {grant['grant_id']}  {_pounds(grant['at_risk_pence'])} in {', '.join(grant['years'])}")


def stress(
    endowment_fall: Annotated[str, typer.Option(help="How far the endowment falls, e.g. 20%.")] = "0%",
    cut_from: Annotated[str | None, typer.Option(help="First financial year of a further cut, e.g. 2030-31.")] = None,
    cut: Annotated[str, typer.Option(help="The further cut of the plan from --cut-from, e.g. 25%.")] = "0%",
    base_url: BaseUrl = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """What-if: list the years and grants at risk if the endowment falls and the plan is cut (changes nothing)."""
    if cut_from is not None and YEAR.fullmatch(cut_from) is None:
        raise typer.BadParameter(f"{cut_from!r} is not a financial year like 2030-31")
    params: dict[str, Any] = {"endowment_fall_bps": parse_share(endowment_fall), "cut_bps": parse_share(cut)}
    if cut_from is not None:
        params["cut_from"] = cut_from
    _run(base_url, token, as_json, lambda api: api.call("GET", "/fund/stress", **params), show_stress)
