"""Alembic environment of the payments service: its own tables plus the shared delivery tables."""

from grants_shared.migrations_env import run
from payments.adapters.orm import metadata

run(metadata)
