"""Alembic environment of the applications service: its own tables plus the shared delivery tables."""

from applications.adapters.orm import metadata
from grants_shared.migrations_env import run

run(metadata)
