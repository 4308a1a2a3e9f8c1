"""Alembic environment of the payments service: its own tables plus the shared delivery tables."""

from grants_shared.migrations_env import run
from payments.adapters import orm_reconciliation, orm_variations  # noqa: F401 (their tables join the metadata)
from payments.adapters.orm import metadata

run(metadata)
