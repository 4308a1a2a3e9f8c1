"""Starter rounds: the grant type of a round and of each assessed application in the pool.

Revision ID: e4f5a6b7c8d9
Revises: 4917b6cbe705
Create Date: 2026-12-07 22:50:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e4f5a6b7c8d9"
down_revision: str | Sequence[str] | None = "4917b6cbe705"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("rounds", "assessed_applications")


def upgrade() -> None:
    """Upgrade schema."""
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("grant_type", sa.String(length=20), server_default="main", nullable=False))


def downgrade() -> None:
    """Downgrade schema."""
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("grant_type")
