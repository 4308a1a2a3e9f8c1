"""public pages and dashboard lists: neighbourhoods, decisions, tranche holds

Revision ID: e4a1c2d3f5b6
Revises: 5fb1e8cda74b
Create Date: 2026-12-07 22:30:00

What the public neighbourhood pages show (the ward's name and population, the decision and its rationale) and
why a tranche is held (the dashboard's held-tranches list). Filled by the projections from the next event on;
`grants rebuild reporting` fills them from history.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e4a1c2d3f5b6"
down_revision: str | Sequence[str] | None = "5fb1e8cda74b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "neighbourhoods",
        sa.Column("code", sa.String(50), primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("region_code", sa.String(50), nullable=False),
        sa.Column("region_name", sa.String(200), nullable=False),
        sa.Column("population", sa.BigInteger(), nullable=False),
        sa.Column("imd_decile", sa.Integer(), nullable=True),
        sa.Column("imd_mean_rank", sa.Float(), nullable=True),
        sa.Column("left_behind", sa.Boolean(), nullable=True),
        sa.Column("vintage", sa.String(50), nullable=False),
    )
    op.create_index("ix_neighbourhoods_region_code", "neighbourhoods", ["region_code"])
    op.create_table(
        "decisions",
        sa.Column("application_id", sa.String(100), primary_key=True),
        sa.Column("neighbourhood_code", sa.String(50), nullable=False),
        sa.Column("round_id", sa.String(100), nullable=False),
        sa.Column("outcome", sa.String(50), nullable=False),
        sa.Column("awarded", sa.Boolean(), nullable=False),
        sa.Column("awarded_pence", sa.BigInteger(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("decided_at", STAMP, nullable=False),
    )
    op.create_index("ix_decisions_neighbourhood_code", "decisions", ["neighbourhood_code"])
    op.create_table(
        "tranche_holds",
        sa.Column("tranche_id", sa.String(100), primary_key=True),
        sa.Column("grant_id", sa.String(100), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("held_at", STAMP, nullable=False),
    )
    op.create_index("ix_tranche_holds_grant_id", "tranche_holds", ["grant_id"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("tranche_holds")
    op.drop_table("decisions")
    op.drop_table("neighbourhoods")
