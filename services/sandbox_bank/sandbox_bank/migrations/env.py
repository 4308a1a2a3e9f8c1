"""Alembic environment of the sandbox bank: its own tables only (no delivery tables), run by `migrations_env`."""

from grants_shared.migrations_env import run
from sandbox_bank.models import Base

run(Base.metadata, with_delivery=False)  # a stand-in for an outside bank: no outbox, no inbox
