"""Clock helpers: every timestamp the service stores is timezone-aware UTC."""

from datetime import UTC, datetime


def now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


def utc(value: datetime) -> datetime:
    """A datetime in UTC; a naive one (as SQLite returns it) is taken as UTC already."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
