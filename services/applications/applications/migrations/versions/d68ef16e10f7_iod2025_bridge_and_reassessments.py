"""IoD2025 through the LSOA 2011 -> 2021 bridge; assessments numbered within a version, so they can be redone.

Revision ID: d68ef16e10f7
Revises: d5879a92b467
Create Date: 2026-11-28 01:18:37.191239

"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "d68ef16e10f7"
down_revision: str | Sequence[str] | None = "d5879a92b467"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ASSESSMENT_KEY = ["application_id", "version", "seq"]


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "lsoa21_scores",
        sa.Column("vintage_id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("imd_score", sa.String(length=30), nullable=False),
        sa.Column("imd_rank", sa.Integer(), nullable=False),
        sa.Column("imd_decile", sa.Integer(), nullable=False),
        sa.Column("domains", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["vintage_id"], ["registry_vintages.id"]),
        sa.PrimaryKeyConstraint("vintage_id", "code"),
    )
    op.create_table(
        "lsoa_bridge",
        sa.Column("vintage_id", sa.String(length=36), nullable=False),
        sa.Column("lsoa11_code", sa.String(length=20), nullable=False),
        sa.Column("lsoa21_code", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["vintage_id"], ["registry_vintages.id"]),
        sa.PrimaryKeyConstraint("vintage_id", "lsoa11_code"),
    )
    op.create_index("ix_lsoa_bridge_lsoa21", "lsoa_bridge", ["vintage_id", "lsoa21_code"], unique=False)
    _assessment_key(upgrade=True)
    with op.batch_alter_table("neighbourhoods") as batch_op:
        batch_op.add_column(sa.Column("iod2025_lsoa21_count", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("iod2025_imd_score_mean", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("iod2025_domain_score_means", sa.JSON(), nullable=True))
    with op.batch_alter_table("registry_vintages") as batch_op:
        batch_op.add_column(sa.Column("lsoa21_count", sa.Integer(), server_default="0", nullable=False))


def _assessment_key(*, upgrade: bool) -> None:
    # Existing assessments were all made at submission: seq 1 of their version.
    key = ASSESSMENT_KEY if upgrade else ASSESSMENT_KEY[:2]
    if op.get_bind().dialect.name == "sqlite":  # SQLite cannot change a primary key: copy into a new table
        _recreate_assessments(key)
        return
    if upgrade:
        op.add_column("assessments", sa.Column("seq", sa.Integer(), server_default="1", nullable=False))
        op.add_column("assessments", sa.Column("trigger", sa.String(30), server_default="submitted", nullable=False))
    op.drop_constraint("assessments_pkey", "assessments", type_="primary")
    op.create_primary_key("assessments_pkey", "assessments", key)
    if not upgrade:
        op.drop_column("assessments", "trigger")
        op.drop_column("assessments", "seq")


def _recreate_assessments(key: list[str]) -> None:
    extra: list[sa.Column[Any]] = [
        sa.Column("seq", sa.Integer(), server_default="1", nullable=False),
        sa.Column("trigger", sa.String(length=30), server_default="submitted", nullable=False),
    ]
    op.create_table(
        "assessments_new",
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        *(extra if len(key) == 3 else []),
        sa.Column("eligible", sa.Boolean(), nullable=False),
        sa.Column("outcomes", sa.JSON(), nullable=False),
        sa.Column("rules_version", sa.String(length=50), nullable=False),
        sa.Column("neighbourhood", sa.JSON(), nullable=False),
        sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"]),
        sa.PrimaryKeyConstraint(*key),
    )
    common = "application_id, version, eligible, outcomes, rules_version, neighbourhood, assessed_at"
    op.execute(f"INSERT INTO assessments_new ({common}) SELECT {common} FROM assessments")
    op.drop_table("assessments")
    op.rename_table("assessments_new", "assessments")


def downgrade() -> None:
    """Downgrade schema (re-assessments are dropped: the old key holds one assessment per version)."""
    with op.batch_alter_table("registry_vintages") as batch_op:
        batch_op.drop_column("lsoa21_count")
    with op.batch_alter_table("neighbourhoods") as batch_op:
        batch_op.drop_column("iod2025_domain_score_means")
        batch_op.drop_column("iod2025_imd_score_mean")
        batch_op.drop_column("iod2025_lsoa21_count")
    op.execute("DELETE FROM assessments WHERE seq > 1")
    _assessment_key(upgrade=False)
    op.drop_index("ix_lsoa_bridge_lsoa21", table_name="lsoa_bridge")
    op.drop_table("lsoa_bridge")
    op.drop_table("lsoa21_scores")
