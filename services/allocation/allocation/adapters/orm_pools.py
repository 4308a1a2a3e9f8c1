"""Fund pools and which pool each round draws from: the fund's money across rounds, and scenario rounds kept apart."""

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from allocation.adapters.base import TS, Base

MAIN_POOL = "main"
"""The fund's main pool: rounds opened without a pool id draw from it; it holds the endowment unless set otherwise."""


class FundPool(Base):
    """A pool of the fund's money with a total; every committed award of a non-scenario round comes out of it."""

    __tablename__ = "fund_pools"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    total_pence: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(TS)
    created_by: Mapped[str] = mapped_column(String(200))


class RoundPool(Base):
    """The pool a round draws from, and whether the round is a scenario (simulated only, never a fund figure)."""

    __tablename__ = "round_pools"

    round_id: Mapped[str] = mapped_column(ForeignKey("rounds.id"), primary_key=True)
    pool_id: Mapped[str] = mapped_column(ForeignKey("fund_pools.id"), index=True)
    scenario: Mapped[bool] = mapped_column(Boolean)
