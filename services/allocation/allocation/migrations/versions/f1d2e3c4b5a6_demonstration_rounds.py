"""Demonstration rounds: rounds whose awards count in no fund figure, and why.

Revision ID: f1d2e3c4b5a6
Revises: d13f00d5a1e0
Create Date: 2026-12-07 23:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f1d2e3c4b5a6"
down_revision: str | Sequence[str] | None = "d13f00d5a1e0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "demonstration_rounds",
        sa.Column("round_id", sa.String(length=36), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"]),
        sa.PrimaryKeyConstraint("round_id"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("demonstration_rounds")
