"""Starter grants: the grant type on reporting's grant read model.

Revision ID: c9d8e7f6a5b4
Revises: d0be08ba3558
Create Date: 2026-12-07 22:55:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c9d8e7f6a5b4"
down_revision: str | Sequence[str] | None = "d0be08ba3558"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("grants") as batch:
        batch.add_column(sa.Column("grant_type", sa.String(length=20), server_default="main", nullable=False))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("grants") as batch:
        batch.drop_column("grant_type")
