"""The declarative base of the applications service's tables."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, String
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Base of every table of the service; its metadata is what Alembic compares against."""

    type_annotation_map = {
        str: String(200),
        datetime: DateTime(timezone=True),
        date: Date,
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }
