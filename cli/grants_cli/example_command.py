"""`grants example allocation`: the command only; the example itself (grants_cli.worked_example) loads when it runs."""

from pathlib import Path
from typing import Annotated

import typer

from grants_cli.errors import CommandFailed

example_app = typer.Typer(
    help="Worked examples, produced by the real platform running on this machine.", no_args_is_help=True
)


@example_app.command("allocation")
def allocation(
    reference_data: Annotated[
        Path,
        typer.Option(
            envvar="GRANTS_REFERENCE_DATA_DIR", help="Folder of the official files, laid out as ../shared/data."
        ),
    ],
    out: Annotated[Path, typer.Option(help="Where to write the Markdown report.")] = Path(
        "docs/worked-example-2019-left-behind.md"
    ),
    seed: Annotated[int, typer.Option(help="Seed of the requests and durations.")] = 2019,
) -> None:
    """Run the least-first worked example on the real registry and write its report."""
    if not reference_data.is_dir():
        raise CommandFailed(
            f"the reference data folder {reference_data} does not exist: give the folder of the "
            "official files, laid out as ../shared/data (--reference-data, GRANTS_REFERENCE_DATA_DIR)"
        )
    if not out.parent.is_dir():
        raise CommandFailed(f"the folder {out.parent} for the report does not exist")
    from grants_cli.worked_example import produce

    produce(reference_data, out, seed, log=typer.echo)
