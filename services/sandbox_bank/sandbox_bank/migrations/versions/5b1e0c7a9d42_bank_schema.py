"""The bank's tables: payments, queued behaviours, the clock offset; a bank file made before migrations is adopted.

Before this revision the bank created its tables itself (`create_all`, then any nullable column a newer bank
added), so a kept file may hold every table or an older shape of them: this revision creates what is missing and
adds the one column added since (`queued_behaviours.amount_delta_pence`), and leaves what exists alone.

Revision ID: 5b1e0c7a9d42
Revises:
Create Date: 2026-12-07 14:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5b1e0c7a9d42"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _payments() -> None:
    op.create_table(
        "payments",
        sa.Column("id", sa.String(length=40), primary_key=True),
        sa.Column("idempotency_key", sa.String(length=255), nullable=False, unique=True),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("amount_pence", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("payee_name", sa.String(length=140), nullable=False),
        sa.Column("payee_sort_code", sa.String(length=6), nullable=False),
        sa.Column("payee_account_number", sa.String(length=8), nullable=False),
        sa.Column("reference", sa.String(length=18), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("behaviour", sa.String(length=16)),
        sa.Column("failure_reason", sa.String(length=200)),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("settle_due_at", sa.DateTime()),
        sa.Column("settled_at", sa.DateTime()),
        sa.Column("return_due_at", sa.DateTime()),
        sa.Column("returned_at", sa.DateTime()),
        sa.Column("return_reason", sa.String(length=200)),
        sa.Column("first_response_status", sa.Integer(), nullable=False),
        sa.Column("first_response_body", sa.Text(), nullable=False),
    )
    op.create_index("ix_payments_status_settle_due", "payments", ["status", "settle_due_at"])
    op.create_index("ix_payments_status_return_due", "payments", ["status", "return_due_at"])
    op.create_index("ix_payments_settled_at", "payments", ["settled_at"])
    op.create_index("ix_payments_returned_at", "payments", ["returned_at"])


def _queued_behaviours() -> None:
    op.create_table(
        "queued_behaviours",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("behaviour", sa.String(length=16), nullable=False),
        sa.Column("remaining", sa.Integer(), nullable=False),
        sa.Column("match_reference", sa.String(length=18)),
        sa.Column("amount_delta_pence", sa.BigInteger()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )


def _bank_clock() -> None:
    op.create_table(
        "bank_clock",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("offset_seconds", sa.Float(), nullable=False),
    )


def upgrade() -> None:
    """Create the tables a bank file lacks; give an older queue table its amount_delta_pence column."""
    inspector = sa.inspect(op.get_bind())
    for table, create in (
        ("payments", _payments),
        ("queued_behaviours", _queued_behaviours),
        ("bank_clock", _bank_clock),
    ):
        if not inspector.has_table(table):
            create()
    columns = {c["name"] for c in inspector.get_columns("queued_behaviours")}
    if "amount_delta_pence" not in columns:
        op.add_column("queued_behaviours", sa.Column("amount_delta_pence", sa.BigInteger()))


def downgrade() -> None:
    """Drop the bank's tables."""
    for table in ("bank_clock", "queued_behaviours", "payments"):
        op.drop_table(table)
