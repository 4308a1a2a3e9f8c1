"""Demonstration data: a flag on reporting's grant and round read models; flagged rows count in no fund figure.

Revision ID: a9b8c7d6e5f4
Revises: c9d8e7f6a5b4
Create Date: 2026-12-07 23:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a9b8c7d6e5f4"
down_revision: str | Sequence[str] | None = "c9d8e7f6a5b4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("grants", "rounds")


def upgrade() -> None:
    """Upgrade schema."""
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("demonstration", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    """Downgrade schema."""
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("demonstration")
