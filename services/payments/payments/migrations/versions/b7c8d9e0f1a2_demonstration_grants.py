"""Demonstration grants: a flag on each grant; their money is in the ledger but never in the fund's figures.

Revision ID: b7c8d9e0f1a2
Revises: 7a72fb1166fa
Create Date: 2026-12-07 23:35:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b7c8d9e0f1a2"
down_revision: str | Sequence[str] | None = "7a72fb1166fa"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("grants") as batch:
        batch.add_column(sa.Column("demonstration", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("grants") as batch:
        batch.drop_column("demonstration")
