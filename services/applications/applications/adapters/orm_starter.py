"""Tables of the capacity-building path: a partnership's named adviser, and each neighbourhood's recorded steps."""

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from applications.adapters.base import Base


class PartnershipAdviser(Base):
    """An adviser assigned to a partnership; a newer assignment ends the one before (`ended_at`)."""

    __tablename__ = "partnership_advisers"
    __table_args__ = (Index("ix_partnership_advisers_partnership", "partnership_id", "assigned_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    partnership_id: Mapped[str] = mapped_column(String(36), ForeignKey("partnerships.id"))
    adviser_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str]  # personal data: shown to operators and assessors, never put in an event
    assigned_at: Mapped[datetime]
    assigned_by: Mapped[str]
    ended_at: Mapped[datetime | None]


class NeighbourhoodStep(Base):
    """One step in a neighbourhood's history: adviser assigned, application submitted, grant awarded, moved on."""

    __tablename__ = "neighbourhood_steps"
    __table_args__ = (Index("ix_neighbourhood_steps_code", "neighbourhood_code", "at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    neighbourhood_code: Mapped[str] = mapped_column(String(20))
    step: Mapped[str] = mapped_column(String(40))
    grant_type: Mapped[str | None] = mapped_column(String(20))
    partnership_id: Mapped[str] = mapped_column(String(36))
    application_id: Mapped[str | None] = mapped_column(String(36))
    adviser_id: Mapped[str | None] = mapped_column(String(64))
    amount_pence: Mapped[int | None] = mapped_column(BigInteger)
    detail: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]
