"""Starter grants: an application's grant type, partnership advisers and each neighbourhood's recorded steps.

Revision ID: b7c1d2e3f4a5
Revises: 60ced2b08ff6
Create Date: 2026-12-07 22:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b7c1d2e3f4a5"
down_revision: str | Sequence[str] | None = "60ced2b08ff6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("grant_type", sa.String(length=20), server_default="main", nullable=False))
    op.create_table(
        "partnership_advisers",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("partnership_id", sa.String(length=36), nullable=False),
        sa.Column("adviser_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assigned_by", sa.String(length=200), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["partnership_id"], ["partnerships.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_partnership_advisers_partnership", "partnership_advisers", ["partnership_id", "assigned_at"], unique=False
    )
    op.create_table(
        "neighbourhood_steps",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("neighbourhood_code", sa.String(length=20), nullable=False),
        sa.Column("step", sa.String(length=40), nullable=False),
        sa.Column("grant_type", sa.String(length=20), nullable=True),
        sa.Column("partnership_id", sa.String(length=36), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=True),
        sa.Column("adviser_id", sa.String(length=64), nullable=True),
        sa.Column("amount_pence", sa.BigInteger(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_neighbourhood_steps_code", "neighbourhood_steps", ["neighbourhood_code", "at"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_neighbourhood_steps_code", table_name="neighbourhood_steps")
    op.drop_table("neighbourhood_steps")
    op.drop_index("ix_partnership_advisers_partnership", table_name="partnership_advisers")
    op.drop_table("partnership_advisers")
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("grant_type")
