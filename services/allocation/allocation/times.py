"""Time helpers: SQLite hands back naive datetimes, so stored times are read back as UTC before comparing."""

from datetime import UTC, datetime


def as_utc(moment: datetime) -> datetime:
    """The same instant as an aware UTC datetime (naive values are taken to be UTC already)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def now() -> datetime:
    """The current instant in UTC."""
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z, as pydantic writes it, so POST and GET answers agree byte for byte."""
    return as_utc(moment).isoformat().replace("+00:00", "Z")
