"""Demonstration rounds: rounds whose awards are real events but never a fund figure (`grants demo`, synthetic data)."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from allocation.adapters.base import TS, Base

REQUESTED = "requested"
"""The round was opened as a demonstration (`"demonstration": true`, as `grants demo` does)."""
SYNTHETIC_REGISTRY = "synthetic-registry"
"""The round's committed run scored need against a synthetic registry."""


class DemonstrationRound(Base):
    """A round marked as a demonstration, and why; its awards are left out of every fund figure."""

    __tablename__ = "demonstration_rounds"

    round_id: Mapped[str] = mapped_column(ForeignKey("rounds.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(String(40))
    marked_at: Mapped[datetime] = mapped_column(TS)
