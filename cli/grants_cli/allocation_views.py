"""How the allocation commands print the API's answers: rich tables and short lines, amounts in pounds."""

from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from grants_shared.money import format_gbp


def table(title: str, *columns: str) -> Table:
    """A left-titled table whose columns fold long text."""
    made = Table(title=title, title_justify="left")
    for column in columns:
        made.add_column(column, overflow="fold")
    return made


def _regions(amounts: dict[str, int]) -> str:
    return ", ".join(f"{region} {format_gbp(pence)}" for region, pence in sorted(amounts.items())) or "none"


def show_round(console: Console, round_: dict[str, Any]) -> None:
    """A round and every rule of its policy."""
    p = round_["policy"]
    out = table(f"Round {round_['id']}: {round_['name']} ({round_['status']})", "rule", "value")
    for rule, value in [
        ("grant type", round_.get("grant_type", "main")),
        ("budget", format_gbp(p["budget_pence"])),
        ("reserve", format_gbp(p["reserve_pence"])),
        ("awards", f"{format_gbp(p['min_award_pence'])} to {format_gbp(p['max_award_pence'])}"),
        ("partial awards", "yes" if p["partial_awards"] else "no"),
        ("one award per neighbourhood", "yes" if p["one_award_per_neighbourhood"] else "no"),
        ("eligibility", p["eligibility"]),
        ("need weights", f"IMD {p['imd_weight']} / CNI {p['cni_weight']}"),
        ("region caps", _regions(p["region_caps"])),
        ("region floors", _regions(p["region_floors"])),
        ("policy version / hash", f"{p['policy_version']} / {round_['policy_hash']}"),
        ("opened / closed", f"{round_['opened_at']} / {round_['closed_at'] or '-'}"),
    ]:
        out.add_row(rule, value)
    console.print(out)


def show_rounds(console: Console, page: dict[str, Any]) -> None:
    """A page of rounds."""
    out = table(f"{page['total']} round(s)", "id", "name", "status", "budget", "awards", "eligibility", "opened")
    for r in page["items"]:
        p = r["policy"]
        out.add_row(
            r["id"],
            r["name"],
            r["status"],
            format_gbp(p["budget_pence"]),
            f"{format_gbp(p['min_award_pence'])}-{format_gbp(p['max_award_pence'])}",
            p["eligibility"],
            r["opened_at"],
        )
    console.print(out)


def show_run(console: Console, run: dict[str, Any], limit: int = 20) -> None:
    """A run's totals and hashes, then its first decisions."""
    t, registry = run["totals"], run.get("registry") or {}
    console.print(f"[bold]Run {run['run_id']}[/] ({run['mode']}) of round {run['round_id']} by {run['created_by']}")
    console.print(
        f"  awarded {format_gbp(t['awarded_pence'])} in {t['awards']} award(s) of {t['considered']} "
        f"considered; budget left {format_gbp(t['budget_left_pence'])}"
    )
    console.print(
        f"  registry: {registry.get('source', '-')} {registry.get('vintage', '')} "
        f"({registry.get('wards', registry.get('neighbourhoods', '?'))} neighbourhoods)"
    )
    console.print(f"  inputs hash {run['inputs_hash']}\n  decisions digest {run['decisions_digest']}")
    if "decisions" in run:
        show_decisions(console, {"items": run["decisions"][:limit], "total": len(run["decisions"]), "offset": 0})


def show_decisions(console: Console, page: dict[str, Any]) -> None:
    """Decisions in rank order with their rationale."""
    shown = f"{page['offset'] + 1}-{page['offset'] + len(page['items'])}" if page["items"] else "none"
    out = table(
        f"Decisions {shown} of {page['total']}",
        "rank",
        "application",
        "ward",
        "outcome",
        "awarded",
        "need",
        "rationale",
    )
    for d in page["items"]:
        out.add_row(
            str(d["rank"] or "-"),
            d["application_id"],
            d["neighbourhood_code"],
            d["outcome"],
            format_gbp(d["awarded_pence"]),
            "-" if d["need_score"] is None else f"{d['need_score']:.2f}",
            d["rationale"],
        )
    console.print(out)


def show_diff(console: Console, diff: dict[str, Any], limit: int = 20) -> None:
    """Who gains, who loses, and where the money moves (run b minus run a)."""
    console.print(
        f"[bold]{diff['a']} -> {diff['b']}[/]: total {format_gbp(diff['total_a_pence'])} -> "
        f"{format_gbp(diff['total_b_pence'])}; {diff['changes']} change(s), "
        f"{format_gbp(diff['moved_pence'])} moved"
    )
    for title, changes in (("Gainers", diff["gainers"]), ("Losers", diff["losers"])):
        out = table(f"{title} ({len(changes)})", "application", "in a", "in b", "change")
        for c in changes[:limit]:
            out.add_row(
                c["application_id"],
                format_gbp(c["awarded_a_pence"]),
                format_gbp(c["awarded_b_pence"]),
                format_gbp(c["delta_pence"]),
            )
        console.print(out)
    for title, moves in (("By region", diff["by_region_pence"]), ("By IMD decile", diff["by_imd_decile_pence"])):
        out = table(title, "where", "change")
        for where, delta in moves.items():
            out.add_row(where, format_gbp(delta))
        console.print(out)


def show_verify(console: Console, verified: dict[str, Any]) -> None:
    """Whether a run recomputes to what was stored."""
    ok = verified["verified"]
    console.print(f"run {verified['run_id']}: " + ("[green]verified[/]" if ok else "[red]NOT verified[/]"))
    pairs = {
        "inputs_hash": "recomputed_inputs_hash",
        "decisions_digest": "recomputed_digest",
        "inputs_document_hash": "recomputed_document_hash",
    }
    for name, recomputed in pairs.items():
        again = verified[recomputed]
        console.print(f"  {name}: {verified[name]} {'==' if again == verified[name] else '!='} {again}")
    console.print(f"  stored decisions match: {verified['stored_decisions_match']}")
    if not ok:
        raise typer.Exit(1)


def show_why(console: Console, d: dict[str, Any]) -> None:
    """An application's committed decision, in words."""
    colour = "green" if d["awarded"] else "yellow"
    console.print(
        f"[bold]{d['application_id']}[/] ({d['neighbourhood_code']}): [{colour}]{d['outcome']}[/]"
        f", awarded {format_gbp(d['awarded_pence'])}"
    )
    rank = f"{d['rank']} of {d['ranked_of']}" if d["rank"] else f"not ranked (of {d['ranked_of']})"
    score = "-" if d["need_score"] is None else f"{d['need_score']:.2f}"
    console.print(f"  rank {rank}; need score {score}; constraint {d['binding_constraint'] or 'none'}")
    console.print(f"  {d['rationale']}")
    console.print(f"  decided {d['decided_at']} by run {d['run_id']} of round {d['round_id']}")
