"""Each service's Alembic migrations build exactly the tables its models describe (SQLite, and PostgreSQL)."""

import importlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from grants_shared import tables
from grants_shared.db import make_engine, migrate
from sandbox_bank.models import Base

# The modules whose tables make up each service's models (payments keeps some beside its main orm module).
MODELS = {
    "applications": ["applications.adapters.orm"],
    "allocation": ["allocation.adapters.orm"],
    "payments": ["payments.adapters.orm", "payments.adapters.orm_reconciliation", "payments.adapters.orm_variations"],
    "reporting": [
        "reporting.adapters.orm",
        "reporting.adapters.orm_outcomes",
        "reporting.adapters.orm_public",
        "reporting.adapters.orm_webhooks",
    ],
}


@pytest.mark.parametrize("service", sorted(MODELS))
def test_the_migrated_schema_matches_the_models(service: str, database_url: str) -> None:
    modules = [importlib.import_module(name) for name in MODELS[service]]
    migrate(database_url, service)
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(
                MigrationContext.configure(connection), [modules[0].metadata, tables.metadata]
            )
    finally:
        engine.dispose()
    assert differences == [], f"{service}: the models and the migrations disagree (make a migration)"


def test_the_bank_schema_matches_its_models_and_holds_no_delivery_tables(database_url: str) -> None:
    migrate(database_url, "sandbox_bank")
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
            names = set(inspect(connection).get_table_names())
    finally:
        engine.dispose()
    assert differences == [], "sandbox_bank: the models and the migrations disagree (make a migration)"
    assert names.isdisjoint(tables.metadata.tables), "the bank's schema holds delivery tables"
