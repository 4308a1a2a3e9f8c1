"""Alembic environment of the allocation service: its own tables plus the shared delivery tables."""

from grants_shared.migrations_env import run

from allocation.adapters.orm import metadata

run(metadata)
