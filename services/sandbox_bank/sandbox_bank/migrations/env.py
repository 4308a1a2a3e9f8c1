"""Alembic environment of the sandbox bank: its own tables, run by the shared `migrations_env` like every service."""

from grants_shared.migrations_env import run
from sandbox_bank.models import Base

run(Base.metadata)
