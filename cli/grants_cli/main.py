"""The `grants` operator command: run everything, mint tokens, load data, dead letters, ledger, demo.

Only typer and the standard library load at start: each command imports what it uses when it runs, so
`grants --help` and `grants token` answer at once (a test checks no service, SQLAlchemy, FastAPI or Redis client
loads with this module). Every command runs inside one error boundary (grants_cli.errors.GuardedGroup).
"""

import os
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from grants_cli.allocation_commands import rounds_app, runs_app, why
from grants_cli.child import run_module
from grants_cli.errors import GuardedGroup, state
from grants_cli.example_command import example_app
from grants_cli.publish_command import publish_app
from grants_cli.rebuild_command import rebuild_app
from grants_cli.soak.command import soak
from grants_cli.stress_command import stress
from grants_cli.tokens import Role

SERVICES = ("applications", "allocation", "payments", "reporting")  # as grants_cli.system.SERVICES (a test checks)

app = typer.Typer(
    cls=GuardedGroup,
    help="Community Wealth Fund grants platform: operator commands.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)  # --debug must not print the secrets
data_app = typer.Typer(help="Reference data (IoD, ONS lookups, CNI).", no_args_is_help=True)
dlq_app = typer.Typer(help="Dead letters: messages that failed too often.", no_args_is_help=True)
ledger_app = typer.Typer(help="The payments ledger.", no_args_is_help=True)
outbox_app = typer.Typer(help="The services' transactional outboxes.", no_args_is_help=True)
app.add_typer(data_app, name="data")
app.add_typer(dlq_app, name="dlq")
app.add_typer(ledger_app, name="ledger")
app.add_typer(outbox_app, name="outbox")
app.add_typer(rounds_app, name="rounds")
app.add_typer(runs_app, name="runs")
app.command("why")(why)
app.command("soak")(soak)
app.command("stress")(stress)
app.add_typer(example_app, name="example")
app.add_typer(publish_app, name="publish")
app.add_typer(rebuild_app, name="rebuild")

VarDir = Annotated[Path, typer.Option(envvar="GRANTS_VAR_DIR", help="Where databases, logs and Redis data live.")]
ServiceNames = Annotated[
    list[str] | None, typer.Argument(help=f"Services (default: all): {', '.join(SERVICES)}.", show_default=False)
]


@app.callback()
def main(
    debug: Annotated[
        bool, typer.Option("--debug", envvar="GRANTS_DEBUG", help="Show the full traceback when a command fails.")
    ] = False,
) -> None:
    """Community Wealth Fund grants platform: operator commands."""
    state["debug"] = debug


def _reference_dir(given: Path | None) -> Path | None:
    return given or (Path(d) if (d := os.environ.get("GRANTS_REFERENCE_DATA_DIR")) else None)


def _services(names: list[str] | None) -> tuple[str, ...]:
    unknown = sorted(set(names or ()) - set(SERVICES))
    if unknown:
        raise typer.BadParameter(f"unknown service(s) {', '.join(unknown)}; choose from {', '.join(SERVICES)}")
    return tuple(names or SERVICES)


@app.command()
def run(
    var_dir: VarDir = Path("var"),
    reference_data: Annotated[Path | None, typer.Option(help="Folder of the official IoD/ONS/CNI files.")] = None,
) -> None:
    """Start the whole platform on this machine; Ctrl-C stops everything."""
    from grants_cli.operations import run_platform

    run_platform(var_dir, _reference_dir(reference_data))


@app.command()
def token(
    role: Annotated[Role, typer.Option(help="The role the token carries.")],
    organisation: Annotated[
        str | None,
        typer.Option(
            help="The applicant's organisation: its id, or its org-id (e.g. GB-CHC-1234567, looked up in the "
            "applications database)."
        ),
    ] = None,
    subject: Annotated[str, typer.Option(help="Who the token names.")] = "dev-user",
) -> None:
    """Mint a development bearer token (signed with GRANTS_JWT_SECRET); refused when GRANTS_ENV is production."""
    from grants_cli.tokens import mint, resolve_organisation

    print(mint(role, subject, resolve_organisation(organisation) if organisation else None))


@app.command()
def migrate(services: ServiceNames = None) -> None:
    """Bring the services' databases to the newest schema."""
    chosen = _services(services)
    run_module("-m", "grants_shared.migrate", *chosen, service=chosen[0] if len(chosen) == 1 else None)


@data_app.command("import")
def data_import(
    directory: Annotated[
        Path,
        typer.Argument(
            exists=True, file_okay=False, help=("Folder of the official files, laid out as ../shared/data.")
        ),
    ],
) -> None:
    """Load the official reference files in DIRECTORY as a new registry vintage."""
    run_module("-m", "applications.registry_load", "--dir", str(directory), service="applications")


@dlq_app.command("list")
def dlq_list(group: Annotated[str | None, typer.Option(help="Only this consumer group.")] = None) -> None:
    """Show dead letters with their error and delivery count."""
    from grants_cli import operations

    operations.dlq_list(group)


@dlq_app.command("replay")
def dlq_replay(group: str, entry_id: str) -> None:
    """Put a dead letter back on its stream (consumers deduplicate by event id)."""
    from grants_cli import operations

    operations.dlq_replay(group, entry_id)


@ledger_app.command("check")
def ledger_check() -> None:
    """Check every ledger invariant; exits non-zero when one fails."""
    run_module("-m", "payments.read.ledger_check", service="payments")


@outbox_app.command("replay")
def outbox_replay(
    services: ServiceNames = None,
    since: Annotated[str | None, typer.Option(help="Only rows created at or after (ISO).")] = None,
) -> None:
    """Publish outbox rows again (after Redis lost data); consumers deduplicate by event id."""
    if since is not None:
        try:
            datetime.fromisoformat(since)
        except ValueError as error:
            raise typer.BadParameter(f"{since!r} is not an ISO date or time", param_hint="'--since'") from error
    for service in _services(services):
        run_module("-m", "grants_shared.outbox_admin", service, *([since] if since else []), service=service)


@app.command()
def demo(base: Annotated[str, typer.Option(help="Host the services listen on.")] = "http://127.0.0.1") -> None:
    """Drive one demonstration grant through the running system over HTTP (never in the fund's figures)."""
    from grants_cli import operations

    operations.demo(base)


if __name__ == "__main__":
    app()
