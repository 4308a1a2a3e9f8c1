"""Clock helpers: every timestamp the service stores is timezone-aware UTC; use cases take the clock they run on."""

from collections.abc import Callable
from datetime import UTC, date, datetime

Clock = Callable[[], datetime]


def now() -> datetime:
    """The current time in UTC (the wall clock: when a row was written, not when a business step happened)."""
    return datetime.now(UTC)


def system_clock() -> datetime:
    """The default clock of every use case: the wall clock in UTC; tests and simulations pass their own."""
    return datetime.now(UTC)


def today(clock: Clock) -> date:
    """The clock's date in UTC: tranches fall due by it."""
    return utc(clock()).date()


def utc(value: datetime) -> datetime:
    """A datetime in UTC; a naive one (as SQLite returns it) is taken as UTC already."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
