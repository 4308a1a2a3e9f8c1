"""The one clock and UTC helper: every instant the platform stores or compares is timezone-aware UTC."""

from collections.abc import Callable
from datetime import UTC, date, datetime

Clock = Callable[[], datetime]
"""What a use case takes to know the time: tests and simulations pass their own."""


def now() -> datetime:
    """The current instant in UTC (the wall clock)."""
    return datetime.now(UTC)


system_clock: Clock = now
"""The default clock of every use case."""


def as_utc(moment: datetime) -> datetime:
    """The same instant as an aware UTC datetime; a naive one (as SQLite returns it) is taken as UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def today(clock: Clock = now) -> date:
    """The clock's date in UTC: tranches fall due by it."""
    return as_utc(clock()).date()


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z, as pydantic writes it, so POST and GET answers agree byte for byte."""
    return as_utc(moment).isoformat().replace("+00:00", "Z")
