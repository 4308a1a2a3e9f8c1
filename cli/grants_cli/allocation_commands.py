"""Operator commands over the allocation API: `grants rounds ...`, `grants runs ...`, `grants why APPLICATION_ID`.

main.py registers rounds_app and runs_app as command groups and `why` as a command of its own.

The CLI never imports service code: it speaks HTTP with a bearer token (a development operator token unless
--token or GRANTS_TOKEN gives one). Amounts are typed in pounds ("175m", "1.5m", "£2,500,000") and sent as pence.
"""

import json
import re
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:  # the HTTP client and the tables load when a command runs, not when `grants` starts
    import httpx
    from rich.console import Console

DEFAULT_URL = "http://127.0.0.1:8002"
SUFFIXES = {"": 1, "k": 1_000, "m": 1_000_000, "bn": 1_000_000_000}
AMOUNT = re.compile(r"(?P<number>\d+(\.\d+)?)(?P<suffix>k|m|bn|)")

rounds_app = typer.Typer(help="Funding rounds and their published policy.", no_args_is_help=True)
runs_app = typer.Typer(help="Allocation runs: simulate, commit, verify, diff, show.", no_args_is_help=True)

BaseUrl = Annotated[str, typer.Option("--base-url", envvar="GRANTS_ALLOCATION_URL", help="The allocation API.")]
Token = Annotated[
    str | None,
    typer.Option(
        envvar="GRANTS_TOKEN", show_default=False, help="Bearer token (default: a development operator token)."
    ),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print the API's JSON instead of tables.")]
Key = Annotated[str | None, typer.Option("--idempotency-key", help="Reuse a key to retry a POST safely.")]


class ApiError(Exception):
    """The API answered with a problem (or could not be reached)."""

    def __init__(self, status: int, title: str, detail: str = "") -> None:
        super().__init__(f"{status} {title}: {detail}" if detail else f"{status} {title}")
        self.status = status


class AllocationApi:
    """A small HTTP client of the allocation API."""

    def __init__(self, base_url: str, token: str | None = None, http: "httpx.Client | None" = None) -> None:
        import httpx

        from grants_cli.tokens import Role, mint

        token = token or mint(Role.OPERATOR, "cli-operator", None)
        self.base_url, self.http = base_url.rstrip("/"), http or httpx.Client(timeout=60)
        self.headers = {"Authorization": f"Bearer {token}"}

    def call(self, method: str, path: str, body: Any = None, key: str | None = None, **params: Any) -> Any:
        """One request; the JSON answer, or ApiError with the problem's title and detail."""
        import httpx

        from grants_shared.ids import new_id

        headers = {**self.headers, **({"Idempotency-Key": key or new_id()} if method == "POST" else {})}
        try:
            response = self.http.request(method, self.base_url + path, json=body, params=params, headers=headers)
        except httpx.HTTPError as error:
            raise ApiError(
                0, f"cannot reach {self.base_url}", f"{error!r}; is the platform running (grants run)?"
            ) from error
        if response.status_code >= 400:
            problem = _json_or_empty(response)
            raise ApiError(
                response.status_code, problem.get("title", response.reason_phrase), problem.get("detail") or ""
            )
        return response.json()


def _json_or_empty(response: "httpx.Response") -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def parse_pounds(text: str) -> int:
    """Pounds as typed by people, to exact pence: '1.5m' -> 150000000, '£2,500,000' -> 250000000."""
    cleaned = text.strip().lower().replace("£", "").replace(",", "").replace("_", "")
    match = AMOUNT.fullmatch(cleaned)
    if match is None:
        raise typer.BadParameter(f"{text!r} is not an amount in pounds (e.g. 175m, 1.5m, 2500k, £1,000,000)")
    pence = Decimal(match["number"]) * SUFFIXES[match["suffix"]] * 100
    if pence != pence.to_integral_value():
        raise typer.BadParameter(f"{text!r} is not a whole number of pence")
    return int(pence)


def parse_regions(items: list[str] | None) -> dict[str, int]:
    """'REGION=AMOUNT' options as region -> pence."""
    regions = {}
    for item in items or []:
        region, sep, amount = item.rpartition("=")
        if not sep or not region.strip():
            raise typer.BadParameter(f"{item!r} is not REGION=AMOUNT (e.g. 'North East=20m')")
        regions[region.strip()] = parse_pounds(amount)
    return regions


def view(name: str, *args: Any) -> Callable[["Console", Any], None]:
    """A printer of grants_cli.allocation_views, loaded only when it prints."""

    def show(console: "Console", body: Any) -> None:
        from grants_cli import allocation_views

        getattr(allocation_views, name)(console, body, *args)

    return show


def _run(base_url: str, token: str | None, as_json: bool, work: Any, show: Any) -> None:
    """Call the API, print JSON or tables; a problem exits 1 with its title and detail."""
    from rich.console import Console

    console = Console()
    try:
        body = work(AllocationApi(base_url, token))
    except ApiError as error:
        console.print(f"[red]error:[/] {error}")
        raise typer.Exit(1) from error
    if as_json:
        print(json.dumps(body, indent=2, ensure_ascii=False))
    else:
        show(console, body)


@rounds_app.command("open")
def rounds_open(
    name: Annotated[str, typer.Option(help="The round's name.")],
    budget: Annotated[str, typer.Option(help="Budget in pounds, e.g. 175m.")],
    min_award: Annotated[str, typer.Option(help="Smallest award, e.g. 1m.")],
    max_award: Annotated[str, typer.Option(help="Largest award, e.g. 2.5m.")],
    reserve: Annotated[str, typer.Option(help="Held back from the walk.")] = "0",
    eligibility: Annotated[str, typer.Option(help="left_behind, imd_decile_1_2 or any.")] = "left_behind",
    imd_weight: Annotated[int, typer.Option(help="Weight of the IMD percentile (with CNI: 100).")] = 100,
    cni_weight: Annotated[int, typer.Option(help="Weight of the CNI percentile.")] = 0,
    partial_awards: Annotated[bool, typer.Option(help="Cut the last award to what is left.")] = False,
    one_per_neighbourhood: Annotated[bool, typer.Option(help="At most one award per ward.")] = True,
    cap: Annotated[list[str] | None, typer.Option(help="REGION=AMOUNT, most a region may get (repeat).")] = None,
    floor: Annotated[list[str] | None, typer.Option(help="REGION=AMOUNT, least kept for a region.")] = None,
    grant_type: Annotated[str, typer.Option(help="main, or starter (small grants for forming places).")] = "main",
    pool: Annotated[str, typer.Option(help="The fund pool the round draws from.")] = "main",
    scenario: Annotated[bool, typer.Option(help="A what-if round: simulated only, never a fund figure.")] = False,
    base_url: BaseUrl = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
    key: Key = None,
) -> None:
    """Open a funding round with its policy."""
    body = {
        "name": name,
        "grant_type": grant_type,
        "budget_pence": parse_pounds(budget),
        "min_award_pence": parse_pounds(min_award),
        "max_award_pence": parse_pounds(max_award),
        "reserve_pence": parse_pounds(reserve),
        "eligibility": eligibility,
        "imd_weight": imd_weight,
        "cni_weight": cni_weight,
        "partial_awards": partial_awards,
        "one_award_per_neighbourhood": one_per_neighbourhood,
        "region_caps": parse_regions(cap),
        "region_floors": parse_regions(floor),
        "pool_id": pool,
        "scenario": scenario,
    }
    _run(base_url, token, as_json, lambda api: api.call("POST", "/rounds", body, key), view("show_round"))


@rounds_app.command("list")
def rounds_list(
    limit: int = 50, offset: int = 0, base_url: BaseUrl = DEFAULT_URL, token: Token = None, as_json: AsJson = False
) -> None:
    """List rounds, newest first."""
    _run(
        base_url,
        token,
        as_json,
        lambda api: api.call("GET", "/rounds", limit=limit, offset=offset),
        view("show_rounds"),
    )


@rounds_app.command("show")
def rounds_show(round_id: str, base_url: BaseUrl = DEFAULT_URL, token: Token = None, as_json: AsJson = False) -> None:
    """Show a round's policy and its runs."""

    def work(api: AllocationApi) -> dict[str, Any]:
        return {**api.call("GET", f"/rounds/{round_id}"), "runs": api.call("GET", f"/rounds/{round_id}/runs")}

    def show(console: "Console", body: dict[str, Any]) -> None:
        from grants_cli.allocation_views import show_round, table
        from grants_shared.money import format_gbp

        show_round(console, body)
        runs = table(f"{body['runs']['total']} run(s)", "run", "mode", "awarded", "awards", "created")
        for r in body["runs"]["items"]:
            runs.add_row(
                r["run_id"],
                r["mode"],
                format_gbp(r["totals"]["awarded_pence"]),
                str(r["totals"]["awards"]),
                r["created_at"],
            )
        console.print(runs)

    _run(base_url, token, as_json, work, show)


@rounds_app.command("close")
def rounds_close(
    round_id: str, base_url: BaseUrl = DEFAULT_URL, token: Token = None, as_json: AsJson = False, key: Key = None
) -> None:
    """Close a round: no run is committed in it afterwards."""
    _run(
        base_url, token, as_json, lambda api: api.call("POST", f"/rounds/{round_id}/close", {}, key), view("show_round")
    )


def _allocate(
    mode: str,
    round_id: str,
    show: int,
    base_url: str,
    token: str | None,
    as_json: bool,
    key: str | None,
    plan: dict[str, int] | None = None,
) -> None:
    body = {"mode": mode, **({"plan": plan} if plan is not None else {})}
    _run(
        base_url,
        token,
        as_json,
        lambda api: api.call("POST", f"/rounds/{round_id}/runs", body, key),
        view("show_run", show),
    )


Show = Annotated[int, typer.Option("--show", help="How many decisions to print.")]


def read_plan(path: str | None) -> dict[str, int] | None:
    """A drawdown plan file's yearly limits (a plan document with `years`, or a plain year -> pence mapping)."""
    if path is None:
        return None
    try:
        document = json.loads(open(path, encoding="utf-8").read())
    except (OSError, ValueError) as error:
        raise typer.BadParameter(f"cannot read the plan {path}: {error}") from error
    years = document.get("years", document) if isinstance(document, dict) else None
    if not isinstance(years, dict):
        raise typer.BadParameter(f"{path} holds no financial years")
    return years


@runs_app.command("simulate")
def runs_simulate(
    round_id: str,
    show: Show = 20,
    plan: Annotated[
        str | None, typer.Option("--plan", help="A drawdown plan JSON file to simulate under instead of the fund's.")
    ] = None,
    base_url: BaseUrl = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
    key: Key = None,
) -> None:
    """Compute the round's allocation without committing (nothing is published), under another plan if given."""
    _allocate("simulate", round_id, show, base_url, token, as_json, key, read_plan(plan))


@runs_app.command("commit")
def runs_commit(
    round_id: str,
    show: Show = 20,
    base_url: BaseUrl = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
    key: Key = None,
) -> None:
    """Commit the round's allocation: decisions and grants are published, once."""
    _allocate("commit", round_id, show, base_url, token, as_json, key)


@runs_app.command("show")
def runs_show(
    run_id: str,
    limit: int = 20,
    offset: int = 0,
    base_url: BaseUrl = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Show a run's totals and a page of its decisions."""

    def work(api: AllocationApi) -> dict[str, Any]:
        return {
            **api.call("GET", f"/runs/{run_id}"),
            "page": api.call("GET", f"/runs/{run_id}/decisions", limit=limit, offset=offset),
        }

    def show(console: "Console", body: dict[str, Any]) -> None:
        from grants_cli.allocation_views import show_decisions, show_run

        show_run(console, body)
        show_decisions(console, body["page"])

    _run(base_url, token, as_json, work, show)


@runs_app.command("verify")
def runs_verify(run_id: str, base_url: BaseUrl = DEFAULT_URL, token: Token = None, as_json: AsJson = False) -> None:
    """Recompute a run from its stored inputs and compare; exits 1 when it does not verify."""
    _run(base_url, token, as_json, lambda api: api.call("POST", f"/runs/{run_id}/verify", {}), view("show_verify"))


@runs_app.command("diff")
def runs_diff(
    run_a: str,
    run_b: str,
    limit: int = 20,
    base_url: BaseUrl = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Compare two runs: who gains, who loses, money moved by region and IMD decile (b minus a)."""
    _run(
        base_url, token, as_json, lambda api: api.call("GET", "/runs/diff", a=run_a, b=run_b), view("show_diff", limit)
    )


def why(application_id: str, base_url: BaseUrl = DEFAULT_URL, token: Token = None, as_json: AsJson = False) -> None:
    """Why APPLICATION_ID was or was not funded: its committed decision and rationale."""
    _run(
        base_url,
        token,
        as_json,
        lambda api: api.call("GET", f"/applications/{application_id}/decision"),
        view("show_why"),
    )
