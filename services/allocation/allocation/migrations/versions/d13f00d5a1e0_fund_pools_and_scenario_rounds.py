"""Fund pools and the pool (and scenario flag) of each round.

Revision ID: d13f00d5a1e0
Revises: e4f5a6b7c8d9
Create Date: 2026-12-07 22:40:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d13f00d5a1e0"
down_revision: str | Sequence[str] | None = "e4f5a6b7c8d9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "fund_pools",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("total_pence", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "round_pools",
        sa.Column("round_id", sa.String(length=36), nullable=False),
        sa.Column("pool_id", sa.String(length=64), nullable=False),
        sa.Column("scenario", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["pool_id"], ["fund_pools.id"]),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"]),
        sa.PrimaryKeyConstraint("round_id"),
    )
    with op.batch_alter_table("round_pools", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_round_pools_pool_id"), ["pool_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("round_pools", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_round_pools_pool_id"))
    op.drop_table("round_pools")
    op.drop_table("fund_pools")
