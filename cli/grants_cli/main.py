"""The `grants` operator command: run everything, mint tokens, load data, dead letters, ledger, demo."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated

import redis
import typer
from rich.console import Console
from rich.table import Table

from grants_cli.allocation_commands import rounds_app, runs_app, why
from grants_cli.soak.command import soak
from grants_cli.system import SERVICES, System
from grants_cli.walk import Client, run_walk
from grants_cli.worked_example import example_app
from grants_shared import deadletter
from grants_shared.auth import Role, mint_token
from grants_shared.settings import PlatformSettings

app = typer.Typer(help="Community Wealth Fund grants platform: operator commands.", no_args_is_help=True)
data_app = typer.Typer(help="Reference data (IoD, ONS lookups, CNI).")
dlq_app = typer.Typer(help="Dead letters: messages that failed too often.")
ledger_app = typer.Typer(help="The payments ledger.")
outbox_app = typer.Typer(help="The services' transactional outboxes.")
app.add_typer(data_app, name="data")
app.add_typer(dlq_app, name="dlq")
app.add_typer(ledger_app, name="ledger")
app.add_typer(outbox_app, name="outbox")
app.add_typer(rounds_app, name="rounds")
app.add_typer(runs_app, name="runs")
app.command("why")(why)
app.command("soak")(soak)
app.add_typer(example_app, name="example")
console = Console()

VarDir = Annotated[Path, typer.Option(envvar="GRANTS_VAR_DIR", help="Where databases, logs and Redis data live.")]


def _reference_dir(given: Path | None) -> Path | None:
    return given or (Path(d) if (d := os.environ.get("GRANTS_REFERENCE_DATA_DIR")) else None)


@app.command()
def run(var_dir: VarDir = Path("var"),
        reference_data: Annotated[Path | None, typer.Option(help="Folder of the official IoD/ONS/CNI files.")] = None
        ) -> None:
    """Start the whole platform on this machine; Ctrl-C stops everything."""
    started = time.monotonic()
    system = System(var_dir=var_dir, redis_url=os.environ.get("REDIS_URL") or None)
    source = _reference_dir(reference_data)
    if source is None:
        console.print("[yellow]No reference data configured: loading a SYNTHETIC registry.[/] Set "
                      "GRANTS_REFERENCE_DATA_DIR (or --reference-data) to the folder of the official files, "
                      "or run `grants data import DIR`.")
    stop = _install_stop_handler()
    try:
        system.start(reference_data=source)
        _print_endpoints(system, time.monotonic() - started)
        while not stop["now"]:
            for name in system.supervise_once():
                console.print(f"[red]{name} died; restarted[/] (log: {system.processes[name].log})")
            time.sleep(0.5)
    finally:
        console.print("Stopping…")
        system.stop()


def _install_stop_handler() -> dict[str, bool]:
    stop = {"now": False}

    def handler(*_: object) -> None:
        stop["now"] = True

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
    return stop


def _print_endpoints(system: System, seconds: float) -> None:
    console.print(f"[green]Grants platform running[/] (started in {seconds:.1f}s). Logs in {system.var_dir}/logs/")
    for svc in SERVICES:
        console.print(f"  {svc:<13} API  {system.url(svc)}/docs", soft_wrap=True)
    console.print(f"  sandbox bank      {system.url('sandbox-bank')}/docs", soft_wrap=True)
    console.print(f"  dashboard         {system.url('reporting')}/dashboard", soft_wrap=True)
    console.print(f"  redis             {system.redis_url}", soft_wrap=True)
    console.print("Try `uv run grants demo` in another terminal; tokens: `uv run grants token --role operator`.")


@app.command()
def token(role: Annotated[Role, typer.Option(help="The role the token carries.")],
          organisation: Annotated[str | None, typer.Option(help="Organisation id (applicants).")] = None,
          subject: Annotated[str, typer.Option(help="Who the token names.")] = "dev-user") -> None:
    """Mint a development bearer token (signed with GRANTS_JWT_SECRET)."""
    print(mint_token(PlatformSettings(), subject=subject, roles=[role], organisation_id=organisation))


@app.command()
def migrate(services: Annotated[list[str] | None, typer.Argument()] = None) -> None:
    """Bring the services' databases to the newest schema."""
    _python("-m", "grants_shared.migrate", *(services or SERVICES))


@data_app.command("import")
def data_import(directory: Path) -> None:
    """Load the official reference files in DIRECTORY as a new registry vintage."""
    _python("-m", "applications.registry_load", "--dir", str(directory))


@dlq_app.command("list")
def dlq_list(group: Annotated[str | None, typer.Option(help="Only this consumer group.")] = None) -> None:
    """Show dead letters with their error and delivery count."""
    entries = deadletter.list_entries(_redis(), group)
    table = Table(title=f"{len(entries)} dead letter(s)")
    for column in ("group", "id", "stream", "deliveries", "error"):
        table.add_column(column)
    for e in entries:
        table.add_row(e["group"], e["id"], e["stream"], e["deliveries"], e["error"][:120])
    console.print(table)


@dlq_app.command("replay")
def dlq_replay(group: str, entry_id: str) -> None:
    """Put a dead letter back on its stream (consumers deduplicate by event id)."""
    console.print(f"replayed as {deadletter.replay(_redis(), group, entry_id)}")


@ledger_app.command("check")
def ledger_check() -> None:
    """Check every ledger invariant; exits non-zero when one fails."""
    _python("-m", "payments.read.ledger_check")


@outbox_app.command("replay")
def outbox_replay(services: Annotated[list[str] | None, typer.Argument(help="Services (default: all).")] = None,
                  since: Annotated[str | None, typer.Option(help="Only rows created at or after (ISO).")] = None
                  ) -> None:
    """Publish outbox rows again (after Redis lost data); consumers deduplicate by event id."""
    for service in services or SERVICES:
        _python("-m", "grants_shared.outbox_admin", service, *([since] if since else []))


@app.command()
def demo(base: Annotated[str, typer.Option(help="Host the services listen on.")] = "http://127.0.0.1") -> None:
    """Drive one grant through the running system over HTTP and print each step."""
    ports = {"applications": 8001, "allocation": 8002, "payments": 8003, "reporting": 8004}
    walk = run_walk(Client({s: f"{base}:{p}" for s, p in ports.items()}), log=console.print)
    console.print(f"[green]Done.[/] Grant {walk.grant_id}: timeline at {base}:8004/grants/{walk.grant_id}/timeline")


def _redis() -> "redis.Redis":
    return redis.Redis.from_url(PlatformSettings().redis_url)


def _python(*args: str) -> None:
    code = subprocess.run([sys.executable, *args]).returncode
    if code:
        raise typer.Exit(code)


if __name__ == "__main__":
    app()
