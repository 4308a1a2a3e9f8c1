"""Tables behind the public pages and the dashboard's lists: neighbourhoods, decisions and tranche holds."""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from reporting.adapters.orm import Base, Stamp


class Neighbourhood(Base):
    """A neighbourhood (ward) as the registry described it when an application from it was assessed."""

    __tablename__ = "neighbourhoods"

    code: Mapped[str] = mapped_column(String(50), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    region_code: Mapped[str] = mapped_column(String(50), index=True)
    region_name: Mapped[str] = mapped_column(String(200))
    population: Mapped[int] = mapped_column(BigInteger)
    imd_decile: Mapped[int | None] = mapped_column(Integer)
    imd_mean_rank: Mapped[float | None] = mapped_column(Float)
    left_behind: Mapped[bool | None] = mapped_column(Boolean)
    vintage: Mapped[str] = mapped_column(String(50))


class Decision(Base):
    """An allocation decision on an application, with its rationale sentence; the latest decision stands."""

    __tablename__ = "decisions"

    application_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    neighbourhood_code: Mapped[str] = mapped_column(String(50), index=True)
    round_id: Mapped[str] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(50))
    awarded: Mapped[bool] = mapped_column(Boolean)
    awarded_pence: Mapped[int] = mapped_column(BigInteger)
    rationale: Mapped[str] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(Stamp)


class TrancheHold(Base):
    """Why a tranche was last held; whether it is held still is the tranche's status."""

    __tablename__ = "tranche_holds"

    tranche_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    grant_id: Mapped[str] = mapped_column(String(100), index=True)
    reasons: Mapped[list[str]] = mapped_column(JSON)
    held_at: Mapped[datetime] = mapped_column(Stamp)
