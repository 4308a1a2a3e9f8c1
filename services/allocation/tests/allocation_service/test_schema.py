"""The Alembic migrations build exactly the tables the models describe (SQLite, and PostgreSQL when configured)."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from allocation.adapters.orm import metadata
from grants_shared import tables
from grants_shared.db import make_engine


def test_the_migrated_schema_matches_the_models(migrated_url: str) -> None:
    engine = make_engine(migrated_url)
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), [metadata, tables.metadata]) == []
    engine.dispose()
