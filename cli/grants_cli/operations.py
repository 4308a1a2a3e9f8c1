"""What `grants run`, `grants dlq ...` and `grants demo` do; main.py imports this only when one of them runs."""

import os
import signal
import time
from pathlib import Path

import redis
from rich.console import Console
from rich.table import Table

from grants_cli.errors import CommandFailed, shown_url
from grants_cli.system import SERVICES, System
from grants_cli.walk import Client, run_walk
from grants_shared import deadletter, redis_acl
from grants_shared.redis_url import has_password, with_credentials
from grants_shared.settings import PlatformSettings

console = Console()


def run_platform(var_dir: Path, source: Path | None) -> None:
    """Start the whole platform, print where it listens, restart what dies until Ctrl-C."""
    started = time.monotonic()
    if source is None:
        console.print(
            "[yellow]No reference data configured: loading a SYNTHETIC registry.[/] Set "
            "GRANTS_REFERENCE_DATA_DIR (or --reference-data) to the folder of the official files, "
            "or run `grants data import DIR`."
        )
    elif not source.is_dir():
        raise CommandFailed(
            f"the reference data folder {source} does not exist: give the folder of the official "
            "files (laid out as ../shared/data), or unset GRANTS_REFERENCE_DATA_DIR for a synthetic "
            "registry"
        )
    given = os.environ.get("REDIS_URL") or None
    if given:
        _ping(given)
    system = System(var_dir=var_dir, redis_url=given)
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


def _ping(url: str) -> None:
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        raise CommandFailed(
            f"cannot reach Redis at {shown_url(url)} (REDIS_URL): {error}; start it, or unset "
            "REDIS_URL to use the embedded one"
        ) from error


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
    console.print(
        f"  sandbox bank      {system.url('sandbox-bank')}/docs (bearer SANDBOX_BANK_API_KEY; set it to call the bank)",
        soft_wrap=True,
    )
    console.print(f"  dashboard         {system.url('reporting')}/dashboard", soft_wrap=True)
    console.print(f"  public pages      {system.url('reporting')}/public/", soft_wrap=True)
    console.print(f"  redis             {shown_url(system.redis_url or '')}", soft_wrap=True)
    console.print("Try `uv run grants demo` in another terminal; tokens: `uv run grants token --role operator`.")


def dlq_list(group: str | None) -> None:
    """Print dead letters with their error and delivery count."""
    entries = deadletter.list_entries(_redis(), group)
    table = Table(title=f"{len(entries)} dead letter(s)")
    for column in ("group", "id", "stream", "deliveries", "error"):
        table.add_column(column)
    for e in entries:
        table.add_row(e["group"], e["id"], e["stream"], e["deliveries"], e["error"][:120])
    console.print(table)


def dlq_replay(group: str, entry_id: str) -> None:
    """Put one dead letter back on its stream."""
    try:
        console.print(f"replayed as {deadletter.replay(_redis(), group, entry_id)}")
    except KeyError as error:
        raise CommandFailed(f"{error.args[0]} (see `grants dlq list --group {group}`)") from error


def demo(base: str) -> None:
    """Drive one demonstration grant through the running platform over HTTP (never counted in the fund's figures)."""
    ports = {"applications": 8001, "allocation": 8002, "payments": 8003, "reporting": 8004}
    walk = run_walk(Client({s: f"{base}:{p}" for s, p in ports.items()}), log=console.print, demonstration=True)
    console.print(
        f"[green]Done.[/] Demonstration grant {walk.grant_id}: timeline at {base}:8004/grants/{walk.grant_id}/timeline"
    )


def _redis() -> "redis.Redis":
    return redis.Redis.from_url(operator_redis_url(), socket_connect_timeout=5)


def operator_redis_url() -> str:
    """REDIS_URL as configured; unset (the embedded Redis of `grants run`), as the admin it made in var/."""
    settings = PlatformSettings()
    known = redis_acl.dev_passwords_file(settings.var_dir).exists()
    if os.environ.get("REDIS_URL") or has_password(settings.redis_url) or not known:
        return settings.redis_url
    admin = redis_acl.ADMIN
    return with_credentials(settings.redis_url, admin, redis_acl.dev_passwords(settings.var_dir)[admin])
