"""Alembic environment of the applications service: its own tables plus the shared delivery tables."""

from grants_shared.migrations_env import run

from applications.adapters.orm import metadata

run(metadata)
