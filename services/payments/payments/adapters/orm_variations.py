"""Tables of grant variations (re-profiles and early closures, with their approvals) and of funding rounds."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from payments.adapters.orm import ID, TS, Base

PENDING = "status = 'pending_approval'"


class Variation(Base):
    """A requested change to a grant: a re-profile of its remaining tranches, or its early closure.

    An amount change (and every closure) waits for a finance approver who is not the requester.
    """

    __tablename__ = "variations"
    __table_args__ = (
        # The database itself refuses a second pending variation for a grant.
        Index(
            "uq_variations_pending_grant",
            "grant_id",
            unique=True,
            sqlite_where=text(PENDING),
            postgresql_where=text(PENDING),
        ),
    )

    variation_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    grant_id: Mapped[str] = mapped_column(ForeignKey("grants.grant_id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[datetime] = mapped_column(TS)
    new_total_pence: Mapped[int | None] = mapped_column(BigInteger)
    pattern: Mapped[str | None] = mapped_column(String(20))
    first_tranche_bps: Mapped[int | None] = mapped_column(Integer)
    previous_total_pence: Mapped[int | None] = mapped_column(BigInteger)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(TS)
    outcome: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Round(Base):
    """A funding round's budget as allocation announced it (projection of RoundOpened)."""

    __tablename__ = "rounds"

    round_id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    budget_pence: Mapped[int] = mapped_column(BigInteger)
    opened_at: Mapped[datetime] = mapped_column(TS)
