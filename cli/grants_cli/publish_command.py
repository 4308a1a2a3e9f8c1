"""`grants publish 360giving`: the command only; the export (grants_cli.publish_export) runs in a child process."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from grants_cli.child import run_module
from grants_cli.errors import CommandFailed

publish_app = typer.Typer(help="Publish the fund's grants in open data standards.", no_args_is_help=True)


class Format(StrEnum):
    """The forms of a 360Giving publication."""

    json = "json"
    csv = "csv"
    xlsx = "xlsx"


@publish_app.command("360giving")
def three_sixty_giving(
    out: Annotated[Path, typer.Option(help="The file to write.")],
    fmt: Annotated[
        Format | None, typer.Option("--format", help="json (the package), csv or xlsx; default: from --out's suffix.")
    ] = None,
) -> None:
    """Write every grant in the 360Giving Data Standard, checked against its schema and codelists when
    GRANTS_REFERENCE_DATA_DIR holds them (nothing is written if a problem is found)."""
    chosen = fmt.value if fmt is not None else out.suffix.lstrip(".").lower() or "json"
    if chosen not in Format.__members__:
        raise CommandFailed(f"cannot tell the format from {out.name}: give --format json, csv or xlsx")
    if not out.parent.is_dir():
        raise CommandFailed(f"the folder {out.parent} for {out.name} does not exist")
    run_module("-m", "grants_cli.publish_export", "--out", str(out), "--format", chosen, service="reporting")
