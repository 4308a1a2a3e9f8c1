"""The worked example's Markdown report: the policy, the inputs, the decisions and where the money went.

Every figure comes from the platform's API answers gathered in an Example; shares are exact integer
arithmetic on pence, shown to two decimals rounded half up.
"""

import os
import platform
import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from grants_shared.money import format_gbp

DECILE_NOTE = """

A ward's IMD decile here is the registry's: the decile of its LSOAs' population-weighted mean IMD rank among
all LSOAs. The 'left behind' flag is OCSI's own ward-level measure, so a left-behind ward can sit in decile 3
or 4 by this mean."""


@dataclass
class Example:
    """What the example saw: the registry, the bids, the round, its run and decisions, and the breadth run."""

    seed: int
    registry: dict[str, Any]
    wards: dict[str, dict[str, Any]]
    applications: dict[str, dict[str, Any]]
    round: dict[str, Any]
    run: dict[str, Any]
    decisions: list[dict[str, Any]]
    verified: dict[str, Any]
    breadth_round: dict[str, Any]
    breadth_run: dict[str, Any]
    diff: dict[str, Any]
    timings_ms: dict[str, float]


def share(part: int, whole: int) -> str:
    """part/whole as a percentage to two decimals, half up, in integer arithmetic."""
    if whole == 0:
        return "-"
    hundredths = (part * 20_000 + whole) // (2 * whole)
    return f"{hundredths // 100}.{hundredths % 100:02d}%"


def md_table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table (pipes in cells escaped)."""

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"

    return "\n".join([line(header), line(["---"] * len(header)), *(line(r) for r in rows)])


def _ward(example: Example, decision: dict[str, Any]) -> dict[str, Any]:
    return example.wards.get(decision["neighbourhood_code"], {})


def shares_by(example: Example, key: str) -> str:
    """Wards applied, funded and money awarded per region or IMD decile, with each one's share."""
    applied, funded, money = Counter[str](), Counter[str](), Counter[str]()
    for d in example.decisions:
        where = str(_ward(example, d).get(key, "?"))
        applied[where] += 1
        funded[where] += d["awarded"]
        money[where] += d["awarded_pence"]
    total, wards = sum(money.values()), len(example.decisions)
    rows = [
        [
            where,
            str(applied[where]),
            share(applied[where], wards),
            str(funded[where]),
            format_gbp(money[where]),
            share(money[where], total),
        ]
        for where in sorted(applied, key=lambda w: (-money[w], w))
    ]
    rows.append(["**all**", str(wards), "100.00%", str(sum(funded.values())), format_gbp(total), share(total, total)])
    name = "region" if key == "region_name" else "IMD decile"
    return md_table([name, "wards applying", "share of wards", "funded", "awarded", "share of money"], rows)


def decision_rows(example: Example, decisions: list[dict[str, Any]]) -> str:
    """Decisions with their ward, request and rationale."""
    rows = []
    for d in decisions:
        ward = _ward(example, d)
        requested = example.applications.get(d["application_id"], {}).get("requested_pence", 0)
        rows.append(
            [
                str(d["rank"] or "-"),
                f"{d['neighbourhood_code']} {ward.get('name', '')}",
                ward.get("region_name", ""),
                str(ward.get("imd_decile", "")),
                f"{d['need_score']:.2f}",
                format_gbp(requested),
                format_gbp(d["awarded_pence"]),
                d["rationale"],
            ]
        )
    return md_table(["rank", "ward", "region", "IMD decile", "need", "asked", "awarded", "rationale"], rows)


def boundary(example: Example) -> str:
    """The decisions either side of the first ranked application not funded."""
    ranked = [d for d in example.decisions if d["rank"]]
    first_not = next((i for i, d in enumerate(ranked) if not d["awarded"]), None)
    if first_not is None:
        return "Every ranked application was funded."
    around = ranked[max(first_not - 2, 0) : first_not + 3]
    return (
        f"The first ranked ward not funded is number {ranked[first_not]['rank']}; the walk stops there, so "
        f"no ward below it is funded ahead of it.\n\n" + decision_rows(example, around)
    )


def policy_table(round_: dict[str, Any]) -> str:
    """Every rule of a round's policy."""
    p = round_["policy"]
    caps = ", ".join(f"{r} {format_gbp(v)}" for r, v in sorted(p["region_caps"].items())) or "none"
    floors = ", ".join(f"{r} {format_gbp(v)}" for r, v in sorted(p["region_floors"].items())) or "none"
    return md_table(
        ["rule", "value"],
        [
            ["budget", format_gbp(p["budget_pence"])],
            ["reserve held back", format_gbp(p["reserve_pence"])],
            ["award per ward", f"{format_gbp(p['min_award_pence'])} to {format_gbp(p['max_award_pence'])}"],
            [
                "partial awards",
                "yes" if p["partial_awards"] else "no: the walk stops at the first award that does not fit",
            ],
            ["one award per neighbourhood", "yes" if p["one_award_per_neighbourhood"] else "no"],
            ["eligibility", p["eligibility"]],
            ["need weights", f"IMD percentile {p['imd_weight']}%, CNI percentile {p['cni_weight']}%"],
            ["region caps", caps],
            ["region floors", floors],
            ["policy version", p["policy_version"]],
            ["policy hash (SHA-256)", f"`{round_['policy_hash']}`"],
        ],
    )


def _changes(example: Example, changes: list[dict[str, Any]], limit: int = 10) -> str:
    rows = [
        [
            f"{_ward_of(example, c['application_id'])}",
            format_gbp(c["awarded_a_pence"]),
            format_gbp(c["awarded_b_pence"]),
            format_gbp(c["delta_pence"]),
        ]
        for c in changes[:limit]
    ]
    return md_table(["ward", "least first (£2.5m max)", "breadth (£1m max)", "change"], rows)


def _ward_of(example: Example, application_id: str) -> str:
    code = example.applications.get(application_id, {}).get("ward", "?")
    return f"{code} {example.wards.get(code, {}).get('name', '')}"


def breadth_section(example: Example) -> str:
    """The committed run against the same pool with every award capped at £1m."""
    d, depth, wide = example.diff, example.run["totals"], example.breadth_run["totals"]
    moves = md_table(
        ["region", "money moved to it (breadth minus least first)"],
        [[r, format_gbp(v)] for r, v in sorted(d["by_region_pence"].items(), key=lambda x: x[1])],
    )
    deciles = md_table(
        ["IMD decile", "money moved to it"], [[k, format_gbp(v)] for k, v in sorted(d["by_imd_decile_pence"].items())]
    )
    return "\n\n".join(
        [
            md_table(
                ["", "least first (committed)", "breadth (simulated)"],
                [
                    [
                        "largest award",
                        format_gbp(example.round["policy"]["max_award_pence"]),
                        format_gbp(example.breadth_round["policy"]["max_award_pence"]),
                    ],
                    ["wards funded", str(depth["awards"]), str(wide["awards"])],
                    ["awarded", format_gbp(depth["awarded_pence"]), format_gbp(wide["awarded_pence"])],
                    ["budget left", format_gbp(depth["budget_left_pence"]), format_gbp(wide["budget_left_pence"])],
                    ["run", f"`{example.run['run_id']}`", f"`{example.breadth_run['run_id']}`"],
                ],
            ),
            f"{d['changes']} wards change: {len(d['gainers'])} gain (newly funded, or funded more) and "
            f"{len(d['losers'])} lose (funded less, or no longer funded); {format_gbp(d['moved_pence'])} moves between "
            f"wards. Biggest gains (first {min(10, len(d['gainers']))}):",
            _changes(example, d["gainers"]),
            f"Biggest losses (first {min(10, len(d['losers']))}):",
            _changes(example, d["losers"]),
            "Money moved by region:",
            moves,
            "Money moved by IMD decile:",
            deciles,
        ]
    )


def intro(example: Example, today: str, asked: list[int]) -> str:
    """Title, how the report was made, the registry and the bids."""
    r, months = example.registry, [a["duration_months"] for a in example.applications.values()]
    p, n = example.round["policy"], len(example.applications)
    return f"""# Worked example: least first over the {n} 'left behind' wards

Generated on {today} by one command (`grants example allocation`, see the end). It started the whole platform
as real processes in a temporary folder (embedded Redis, four services and their workers, the sandbox bank),
loaded the official files, and did everything below over HTTP, as an operator and as {n} resident
partnerships would.

- **Registry**: vintage `{r["vintage"]}`, inputs hash `{r["inputs_hash"]}`; {r["ward_count"]:,} wards, of
  which {r["left_behind_count"]} are 'left behind' (OCSI / Local Trust: top 10% of need on both the IMD and the
  Community Needs Index). Allocation holds all {r["wards_held"]:,} wards, so every need score is a percentile
  over the whole registry, not over the applicants.
- **Applications**: one per left-behind ward, each from a fund-holding organisation and a resident partnership
  of 8 members, 5 of them residents. Requests are seeded (seed {example.seed}), from £1m to £2.5m in £10,000
  steps: {format_gbp(sum(asked))} asked in all (median {format_gbp(int(statistics.median(asked)))}), over
  {min(months)} to {max(months)} months. Every application was assessed eligible.
- **Need and ranking** (the full rule is in [allocation.md](allocation.md)): need score = {p["imd_weight"]}% of
  the ward's IMD percentile plus {p["cni_weight"]}% of its CNI percentile, in integer basis points; ties go to
  the lower (more deprived) IMD rank, then the ward code. Walking down the ranking, each ward gets its request
  (within the award bounds) while the budget lasts; the first award that does not fit ends the walk, so no
  less needy ward is funded ahead of a needier one.

Contains public sector information licensed under the Open Government Licence v3.0. The Community Needs Index
(OCSI for Local Trust) is used here for development only."""


def timings_table(example: Example) -> str:
    """How long each call took through the API (medians; timings are measured, never asserted)."""
    rows = [[name, f"{ms:,.0f} ms"] for name, ms in example.timings_ms.items()]
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, SQLite"
    return md_table(["call (over HTTP, whole pool)", "median time"], rows) + f"\n\nMeasured on {machine}."


def closing(example: Example) -> str:
    """How to reproduce the report, and what will differ."""
    return f"""## Reproducing it

```sh
# GRANTS_REFERENCE_DATA_DIR names the folder of the official files (here ../shared/data)
GRANTS_REFERENCE_DATA_DIR=../shared/data uv run grants example allocation --out docs/worked-example-2019-left-behind.md
uv run grants runs verify RUN_ID   # against a running platform: recompute a run from its stored inputs
```

Application ids, run ids and times are new on every run, so the hashes change; with the same seed
({example.seed}) and registry the ranks, amounts and shares are the same."""


def render(example: Example) -> str:
    """The whole report as Markdown."""
    run, totals = example.run, example.run["totals"]
    asked = [a["requested_pence"] for a in example.applications.values()]
    sections = [
        intro(example, datetime.now(UTC).date().isoformat(), asked),
        "## The policy\n\n" + policy_table(example.round),
        "## Totals\n\n"
        + md_table(
            ["", ""],
            [
                ["wards applying (all eligible)", str(totals["considered"])],
                ["wards funded", str(totals["awards"])],
                ["wards not funded", str(totals["considered"] - totals["awards"])],
                ["awarded", format_gbp(totals["awarded_pence"])],
                ["budget left", format_gbp(totals["budget_left_pence"])],
                ["run", f"`{run['run_id']}` (committed)"],
                ["inputs hash (engine)", f"`{run['inputs_hash']}`"],
                ["inputs document hash", f"`{run['inputs_document_hash']}`"],
                ["decisions digest", f"`{run['decisions_digest']}`"],
                ["re-verified from stored inputs", "yes" if example.verified["verified"] else "**NO**"],
            ],
        ),
        "## Share of the money by region\n\n" + shares_by(example, "region_name"),
        "## Share of the money by IMD decile\n\n" + shares_by(example, "imd_decile") + DECILE_NOTE,
        "## The first 20 decisions\n\n" + decision_rows(example, example.decisions[:20]),
        "## Where the money ran out\n\n" + boundary(example),
        "## The last 20 decisions\n\n" + decision_rows(example, example.decisions[-20:]),
        "## Breadth against depth\n\n" + breadth_section(example),
        "## Speed through the API\n\n" + timings_table(example),
        closing(example),
    ]
    return "\n\n".join(sections) + "\n"
