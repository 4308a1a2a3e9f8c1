"""The allocation service's tables (SQLAlchemy 2 typed mappings); `metadata` is what Alembic migrates."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from allocation.adapters.base import ID, TS, Base
from allocation.adapters.orm_demonstration import DemonstrationRound
from allocation.adapters.orm_pools import FundPool, RoundPool
from allocation.adapters.registry_tables import RegistryVintage, RegistryWard


class Round(Base):
    """A funding round: its policy (the published rules) and whether it is open."""

    __tablename__ = "rounds"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    policy: Mapped[dict[str, Any]] = mapped_column(JSON)
    policy_hash: Mapped[str] = mapped_column(String(64))
    budget_pence: Mapped[int] = mapped_column(BigInteger)
    grant_type: Mapped[str] = mapped_column(String(20), server_default="main", default="main")
    opened_at: Mapped[datetime] = mapped_column(TS, index=True)
    opened_by: Mapped[str] = mapped_column(String(200))
    closed_at: Mapped[datetime | None] = mapped_column(TS)
    closed_by: Mapped[str | None] = mapped_column(String(200))


class AssessedApplication(Base):
    """The newest assessment of an application, with the neighbourhood's need snapshot it carried."""

    __tablename__ = "assessed_applications"

    application_id: Mapped[str] = mapped_column(ID, primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ID)
    partnership_id: Mapped[str] = mapped_column(ID, index=True)
    eligible: Mapped[bool] = mapped_column(Boolean)
    grant_type: Mapped[str] = mapped_column(String(20), server_default="main", default="main")
    outcomes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    rules_version: Mapped[str] = mapped_column(String(100))
    requested_pence: Mapped[int] = mapped_column(BigInteger)
    duration_months: Mapped[int] = mapped_column(Integer)
    neighbourhood_code: Mapped[str] = mapped_column(String(50), index=True)
    neighbourhood: Mapped[dict[str, Any]] = mapped_column(JSON)
    assessed_at: Mapped[datetime] = mapped_column(TS)
    event_occurred_at: Mapped[datetime] = mapped_column(TS)
    event_id: Mapped[str] = mapped_column(String(36))


class Neighbourhood(Base):
    """The newest need snapshot of a neighbourhood seen in any assessment: the registry runs rank against."""

    __tablename__ = "neighbourhoods"

    code: Mapped[str] = mapped_column(String(50), primary_key=True)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    vintage: Mapped[str] = mapped_column(String(100))
    seen_at: Mapped[datetime] = mapped_column(TS)


class Withdrawal(Base):
    """An application's withdrawal, kept even when its assessment has not arrived yet."""

    __tablename__ = "withdrawals"

    application_id: Mapped[str] = mapped_column(ID, primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    withdrawn_at: Mapped[datetime] = mapped_column(TS)
    event_id: Mapped[str] = mapped_column(String(36))


class Partnership(Base):
    """The newest known compliance of a resident partnership."""

    __tablename__ = "partnerships"

    partnership_id: Mapped[str] = mapped_column(ID, primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ID)
    neighbourhood_code: Mapped[str] = mapped_column(String(50))
    member_count: Mapped[int] = mapped_column(Integer)
    resident_count: Mapped[int] = mapped_column(Integer)
    compliant: Mapped[bool] = mapped_column(Boolean)
    outcomes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    changed_at: Mapped[datetime] = mapped_column(TS)
    event_occurred_at: Mapped[datetime] = mapped_column(TS)
    event_id: Mapped[str] = mapped_column(String(36))


class Run(Base):
    """An allocation run; `committed_round_id` is set only on a commit, so a round has at most one."""

    __tablename__ = "runs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    round_id: Mapped[str] = mapped_column(ForeignKey("rounds.id"), index=True)
    mode: Mapped[str] = mapped_column(String(16))
    committed_round_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    policy_hash: Mapped[str] = mapped_column(String(64))
    inputs_hash: Mapped[str] = mapped_column(String(64))
    document_hash: Mapped[str] = mapped_column(String(64))
    vintages: Mapped[list[str]] = mapped_column(JSON)
    decisions_digest: Mapped[str] = mapped_column(String(64))
    awarded_pence: Mapped[int] = mapped_column(BigInteger)
    awards: Mapped[int] = mapped_column(Integer)
    budget_left_pence: Mapped[int] = mapped_column(BigInteger)
    considered: Mapped[int] = mapped_column(Integer)
    need_registry: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # where need was scored from
    created_at: Mapped[datetime] = mapped_column(TS)
    created_by: Mapped[str] = mapped_column(String(200))


class RunInputs(Base):
    """The exact inputs of a run as canonical JSON, so anyone can recompute and verify it."""

    __tablename__ = "run_inputs"

    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id"), primary_key=True)
    body: Mapped[str] = mapped_column(Text)


class Decision(Base):
    """One application's decision in a run, with its rank, need score and rationale."""

    __tablename__ = "decisions"
    __table_args__ = (Index("ix_decisions_application", "application_id", "committed"),)

    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id"), primary_key=True)
    application_id: Mapped[str] = mapped_column(ID, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    committed: Mapped[bool] = mapped_column(Boolean)
    organisation_id: Mapped[str] = mapped_column(ID)
    neighbourhood_code: Mapped[str] = mapped_column(String(50))
    outcome: Mapped[str] = mapped_column(String(40))
    awarded: Mapped[bool] = mapped_column(Boolean)
    awarded_pence: Mapped[int] = mapped_column(BigInteger)
    rank: Mapped[int | None] = mapped_column(Integer)
    ranked_of: Mapped[int] = mapped_column(Integer)
    need_bp: Mapped[int | None] = mapped_column(Integer)
    binding_constraint: Mapped[str | None] = mapped_column(String(60))
    rationale: Mapped[str] = mapped_column(Text)
    grant_id: Mapped[str | None] = mapped_column(String(36))
    decided_at: Mapped[datetime] = mapped_column(TS)


class Award(Base):
    """A grant awarded by a committed run: one per application, whatever the round."""

    __tablename__ = "awards"

    application_id: Mapped[str] = mapped_column(ID, primary_key=True)
    grant_id: Mapped[str] = mapped_column(String(36), unique=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id"), index=True)
    round_id: Mapped[str] = mapped_column(String(36))
    amount_pence: Mapped[int] = mapped_column(BigInteger)
    awarded_at: Mapped[datetime] = mapped_column(TS)


metadata = Base.metadata
__all__ = [
    "AssessedApplication",
    "Award",
    "Base",
    "Decision",
    "DemonstrationRound",
    "FundPool",
    "Neighbourhood",
    "Partnership",
    "RegistryVintage",
    "RegistryWard",
    "Round",
    "RoundPool",
    "Run",
    "RunInputs",
    "Withdrawal",
    "metadata",
]
