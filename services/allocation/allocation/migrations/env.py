"""Alembic environment of the allocation service: its own tables plus the shared delivery tables."""

from allocation.adapters.orm import metadata
from grants_shared.migrations_env import run

run(metadata)
