"""`grants rebuild reporting`: the command only; the rebuild (reporting.consumers.rebuild) loads when it runs."""

from typing import TYPE_CHECKING, Annotated

import typer

from grants_cli.errors import CommandFailed

if TYPE_CHECKING:
    from reporting.consumers.rebuild import RebuildResult

rebuild_app = typer.Typer(help="Rebuild read models from the streams' history.", no_args_is_help=True)

SHOWN = 10  # problem entries listed in full; the rest are counted


@rebuild_app.command("reporting")
def reporting(
    database_url: Annotated[
        str | None, typer.Option(help="An empty database to rebuild into (migrated first); the live one is untouched.")
    ] = None,
    in_place: Annotated[
        bool, typer.Option("--in-place", help="Empty reporting's own read models and rebuild them there.")
    ] = False,
    confirm: Annotated[
        bool, typer.Option("--yes-empty-the-read-models", help="Required with --in-place: the read models go first.")
    ] = False,
    batch: Annotated[int, typer.Option(min=1, max=10_000, help="Events applied per transaction.")] = 500,
) -> None:
    """Rebuild reporting's read models from every stream it consumes, through the live consumer's projections."""
    if (database_url is None) == (not in_place):
        raise CommandFailed("give exactly one of --database-url URL (an empty database) or --in-place")
    if in_place and not confirm:
        raise CommandFailed("--in-place empties the live read models first: add --yes-empty-the-read-models")
    result = _run(database_url, batch)
    typer.echo(
        f"read {result.read} entries: {result.applied} applied in order, {result.woken} after waiting parked, "
        f"{result.duplicates} already applied, {result.own_events} of reporting's own put on the timeline"
    )
    _list("refused (unreadable or wrongly signed, as the live consumer dead-letters them)", result.refused)
    _list("failed", result.failed)
    _list("still parked", result.still_parked)
    if result.failed:
        raise typer.Exit(1)


def _run(database_url: str | None, batch: int) -> "RebuildResult":
    from grants_cli.operations import operator_redis_url
    from grants_shared.db import make_engine, migrate, session_factory
    from grants_shared.delivery.redis_client import sync_client
    from grants_shared.event_keys import keyring_of
    from reporting.config import Settings
    from reporting.consumers import rebuild

    settings = Settings()
    url = database_url or settings.db_url()
    migrate(url, "reporting")
    engine = make_engine(url)
    try:
        sessions = session_factory(engine)
        if database_url is None:
            rebuild.clear_read_models(sessions)
        elif not rebuild.is_empty(sessions):
            raise CommandFailed(f"{database_url} already holds read-model rows: give an empty database or --in-place")
        redis = sync_client(operator_redis_url())
        return rebuild.Rebuild(sessions, redis, keyring_of(settings), batch=batch).run()
    finally:
        engine.dispose()


def _list(what: str, items: list[str]) -> None:
    if not items:
        return
    typer.echo(f"{len(items)} {what}:", err=True)
    for item in items[:SHOWN]:
        typer.echo(f"  {item}", err=True)
    if len(items) > SHOWN:
        typer.echo(f"  ... and {len(items) - SHOWN} more", err=True)
