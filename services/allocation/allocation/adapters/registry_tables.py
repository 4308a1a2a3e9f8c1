"""The neighbourhood registry as allocation holds it: every ward of each vintage the applications service put in force.

Runs score need against the whole vintage in force, so a ward's score does not depend on who applied.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from allocation.adapters.base import TS, Base


class RegistryVintage(Base):
    """A registry vintage announced by NeighbourhoodRegistryUpdated, and whether its wards are held yet.

    status: pending (announced, wards not fetched yet), held (every ward stored) or superseded (a newer
    vintage was announced before this one's wards could be fetched; the applications service no longer serves it).
    """

    __tablename__ = "registry_vintages"

    inputs_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    ward_count: Mapped[int] = mapped_column(Integer)
    left_behind_count: Mapped[int] = mapped_column(Integer)
    synthetic: Mapped[bool] = mapped_column(Boolean)
    loaded_at: Mapped[datetime] = mapped_column(TS, index=True)
    status: Mapped[str] = mapped_column(String(16))
    wards_held: Mapped[int] = mapped_column(Integer, default=0)
    fetched_at: Mapped[datetime | None] = mapped_column(TS)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    event_id: Mapped[str] = mapped_column(String(36))


class RegistryWard(Base):
    """One ward's need measures in one vintage (the NeighbourhoodNeed shape), never changed once stored."""

    __tablename__ = "registry_wards"

    inputs_hash: Mapped[str] = mapped_column(ForeignKey("registry_vintages.inputs_hash"), primary_key=True)
    code: Mapped[str] = mapped_column(String(50), primary_key=True)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
