"""Tables of organisations, resident partnerships, applications, assessments, decisions and rules."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Double, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from applications.adapters.base import Base


class Organisation(Base):
    """A fund-holding organisation, identified 360Giving-style (e.g. GB-CHC-1234567)."""

    __tablename__ = "organisations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str]
    org_id: Mapped[str] = mapped_column(String(40), unique=True)
    fund_holding: Mapped[bool]
    due_diligence: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Partnership(Base):
    """A resident partnership of a neighbourhood, held by an organisation."""

    __tablename__ = "partnerships"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(String(36), ForeignKey("organisations.id"), index=True)
    name: Mapped[str]
    neighbourhood_code: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class PartnershipMember(Base):
    """A member of a partnership; one who left keeps their row with `left_on` set."""

    __tablename__ = "partnership_members"
    __table_args__ = (UniqueConstraint("partnership_id", "seq"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    partnership_id: Mapped[str] = mapped_column(String(36), ForeignKey("partnerships.id"))
    seq: Mapped[int]
    name: Mapped[str]
    resident: Mapped[bool]
    joined_on: Mapped[date]
    left_on: Mapped[date | None]


class Application(Base):
    """An application for funding; its content is editable only while it is a draft."""

    __tablename__ = "applications"
    __table_args__ = (
        Index("ix_applications_org_status", "organisation_id", "status"),
        Index("ix_applications_neighbourhood_status", "neighbourhood_code", "status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(String(36), ForeignKey("organisations.id"))
    partnership_id: Mapped[str] = mapped_column(String(36), ForeignKey("partnerships.id"))
    neighbourhood_code: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12))
    grant_type: Mapped[str] = mapped_column(String(20), server_default="main", default="main")
    version: Mapped[int]
    requested_pence: Mapped[int] = mapped_column(BigInteger)
    duration_months: Mapped[int]
    themes: Mapped[list[Any]]
    summary: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)


class ApplicationVersion(Base):
    """The content of an application as submitted at one version; never changed afterwards."""

    __tablename__ = "application_versions"

    application_id: Mapped[str] = mapped_column(String(36), ForeignKey("applications.id"), primary_key=True)
    version: Mapped[int] = mapped_column(primary_key=True)
    content: Mapped[dict[str, Any]]
    submitted_by: Mapped[str]
    submitted_at: Mapped[datetime]


class Assessment(Base):
    """An eligibility assessment of a submitted version (seq 1 at submission, then re-assessments)."""

    __tablename__ = "assessments"

    application_id: Mapped[str] = mapped_column(String(36), ForeignKey("applications.id"), primary_key=True)
    version: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True)
    trigger: Mapped[str] = mapped_column(String(30))
    eligible: Mapped[bool]
    outcomes: Mapped[list[Any]]
    rules_version: Mapped[str] = mapped_column(String(50))
    neighbourhood: Mapped[dict[str, Any]]
    assessed_at: Mapped[datetime]


class Decision(Base):
    """An allocation decision about an application (projection of AllocationDecided), one per run."""

    __tablename__ = "decisions"

    application_id: Mapped[str] = mapped_column(String(36), ForeignKey("applications.id"), primary_key=True)
    run_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    round_id: Mapped[str] = mapped_column(String(36))
    outcome: Mapped[str] = mapped_column(String(50))
    awarded: Mapped[bool]
    awarded_pence: Mapped[int] = mapped_column(BigInteger)
    rank: Mapped[int | None]
    ranked_of: Mapped[int]
    need_score: Mapped[float | None] = mapped_column(Double)
    binding_constraint: Mapped[str | None]
    rationale: Mapped[str] = mapped_column(Text)
    inputs_hash: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime]
    event_id: Mapped[str] = mapped_column(String(36))


class GovernanceRules(Base):
    """A versioned set of governance and eligibility rule parameters; one version is in force."""

    __tablename__ = "governance_rules"

    version: Mapped[str] = mapped_column(String(50), primary_key=True)
    rules: Mapped[dict[str, Any]]
    in_force: Mapped[bool]
    created_at: Mapped[datetime]
