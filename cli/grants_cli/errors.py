"""The CLI's one error boundary: a known failure becomes one line naming what to do, and exit 1.

Every command runs inside GuardedGroup.invoke. A database never migrated, a server that refuses the connection or a
missing file is explained in a sentence; anything else prints its type and message. The traceback is shown only with
`grants --debug ...` or GRANTS_DEBUG=1. A `python -m` step the CLI runs (migrations, the ledger check, the registry
load) is judged the same way from what it wrote to stderr (see grants_cli.child).
"""

import os
import re
import sys
from typing import Any

import typer
from typer.core import TyperGroup

state = {"debug": False}
HINT = "(run `grants --debug ...` or set GRANTS_DEBUG=1 for the traceback)"
NOT_MIGRATED = re.compile(r"no such table|relation \S+ does not exist|undefinedtable", re.IGNORECASE)
CANNOT_OPEN = re.compile(r"unable to open database file", re.IGNORECASE)
REFUSED = re.compile(
    r"connection refused|error 111|could not connect|connect call failed|name or service not known"
    r"|connection to server .* failed|timeout connecting",
    re.IGNORECASE,
)
REDIS_MODULE = re.compile(r"\bredis\.(?:exceptions|connection|asyncio|client)\b")  # not a path that says redis
REDIS_REFUSED = re.compile(r"NOAUTH|WRONGPASS|invalid username-password|NOPERM|AuthenticationError", re.IGNORECASE)
MISSING_FILE = re.compile(r"(?:FileNotFoundError|No such file or directory)[^\n]*", re.IGNORECASE)


class CommandFailed(Exception):
    """A failure already put in words for the operator: printed as it is, exit 1."""


class ChildFailed(Exception):
    """A `python -m` step exited non-zero; `stderr` holds what it wrote, `service` whose database it used."""

    def __init__(self, argv: tuple[str, ...], code: int, stderr: str, service: str | None = None) -> None:
        super().__init__(f"`{' '.join(argv)}` exited {code}")
        self.argv, self.code, self.stderr, self.service = argv, code, stderr, service


def debugging() -> bool:
    """True when the operator asked for tracebacks (--debug or GRANTS_DEBUG=1)."""
    return state["debug"] or os.environ.get("GRANTS_DEBUG", "").lower() in ("1", "true", "yes")


def shown_url(url: str) -> str:
    """A URL safe to print: any password replaced by ***."""
    return re.sub(r"(://[^:/@]+):[^@/]*@", r"\1:***@", url)


def database_url(service: str) -> str:
    """A service's database as its processes find it: <SERVICE>_DATABASE_URL, else var/<service>.db."""
    from grants_shared.settings import PlatformSettings

    return os.environ.get(f"{service.upper()}_DATABASE_URL") or PlatformSettings().sqlite_url(service)


def redis_url() -> str:
    """The Redis the platform uses (REDIS_URL, else the embedded default)."""
    from grants_shared.settings import PlatformSettings

    return PlatformSettings().redis_url


def explain(text: str, service: str | None = None) -> str | None:
    """One line saying what to do about a failure described by `text`, or None when it is not a known one."""
    where = f"the {service} database at {shown_url(database_url(service))}" if service else "a service's database"
    migrate = f"`grants migrate {service}`" if service else "`grants migrate`"
    if NOT_MIGRATED.search(text):
        return f"{where} is not migrated: run {migrate} (or `grants run`, which migrates every service)"
    if CANNOT_OPEN.search(text):
        return f"{where} cannot be opened (does its folder exist? GRANTS_VAR_DIR names it): run {migrate}"
    if REFUSED.search(text):
        if REDIS_MODULE.search(text):
            return (
                f"cannot reach Redis at {shown_url(redis_url())}: start the platform (`grants run`) "
                "or set REDIS_URL to a running Redis"
            )
        if "httpx" in text.lower():
            return "cannot reach the platform's API: is it running (`grants run`)?"
        return (
            f"cannot reach {where}: is the database server running? check {(service or 'SERVICE').upper()}_DATABASE_URL"
        )
    if REDIS_REFUSED.search(text):
        return (
            f"Redis at {shown_url(redis_url())} refused this user: give REDIS_URL an operator's user and password "
            "(`grants run` keeps the admin's in var/secrets/redis-users.json; docs/operations.md)"
        )
    if missing := MISSING_FILE.search(text):
        return f"a file or folder is missing: {missing.group(0).split(':', 1)[-1].strip()}"
    return None


def describe(error: BaseException) -> tuple[str | None, int]:
    """What to print for a failed command, and its exit code (None: the command already said why)."""
    if isinstance(error, CommandFailed):
        return str(error), 1
    if isinstance(error, ChildFailed):
        if "Traceback (most recent call last)" not in error.stderr:
            return None, error.code  # it failed on its own terms and printed its reasons
        last = error.stderr.strip().splitlines()[-1]
        return explain(error.stderr, error.service) or f"{error}: {last} {HINT}", 1
    text = f"{type(error).__module__}.{type(error).__name__}: {error}"
    message = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return explain(text) or f"error: {type(error).__name__}: {message} {HINT}", 1


class GuardedGroup(TyperGroup):
    """The root command group: runs the chosen command inside the error boundary."""

    def invoke(self, ctx: Any) -> Any:  # typer's vendored click Context, which it does not export
        """Run the command; an exception that is not typer's own exit or usage error becomes a line and exit 1."""
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except BrokenPipeError:  # the reader went away (`grants ... | head`): nothing left to say
            raise typer.Exit(1) from None
        except Exception as error:
            if debugging():
                raise
            message, code = describe(error)
            if message:
                typer.secho(f"error: {message}" if not message.startswith("error:") else message, err=True, fg="red")
            sys.stderr.flush()
            raise typer.Exit(code) from None
