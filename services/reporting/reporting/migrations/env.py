"""Alembic environment of the reporting service: its own tables plus the shared delivery tables."""

from grants_shared.migrations_env import run
from reporting.adapters import (
    orm_outcomes,  # noqa: F401  (registers the outcome tables on the same metadata)
    orm_public,  # noqa: F401  (registers its tables on the metadata)
    orm_webhooks,  # noqa: F401 (its tables join the metadata)
)
from reporting.adapters.orm import metadata

run(metadata)
