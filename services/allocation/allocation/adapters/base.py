"""The declarative base every allocation table shares, and the column types used throughout."""

from sqlalchemy import DateTime, String
from sqlalchemy.orm import DeclarativeBase

ID = String(100)
TS = DateTime(timezone=True)


class Base(DeclarativeBase):
    """Declarative base of the allocation tables."""
