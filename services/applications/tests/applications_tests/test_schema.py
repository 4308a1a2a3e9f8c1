"""The Alembic migrations build exactly the tables the models describe, with the first rules in force."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.orm import Session, sessionmaker

from applications.adapters import queries
from applications.adapters.orm import metadata
from applications.domain.rules import DEFAULT_RULES_VERSION, RuleSet
from grants_shared import tables
from grants_shared.db import make_engine


def test_the_migrated_schema_matches_the_models(migrated: str) -> None:
    engine = make_engine(migrated)
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), [metadata, tables.metadata]) == []
    engine.dispose()


def test_the_first_governance_rules_are_in_force(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        rules = queries.rules_in_force(session)
    assert rules == RuleSet(version=DEFAULT_RULES_VERSION)
