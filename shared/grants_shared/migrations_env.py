"""The body of every service's Alembic env.py: one place that knows how to run migrations."""

from typing import Any

from alembic import context
from sqlalchemy import MetaData

from grants_shared import tables
from grants_shared.db import make_engine


def run(service_metadata: MetaData, *, with_delivery: bool = True) -> None:
    """Run migrations online for a service whose tables live in `service_metadata`, plus the delivery tables (outbox,
    inbox, idempotency keys, audit) unless `with_delivery` is false: autogenerate compares the models with these."""
    config = context.config
    url = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url")
    target: Any = [service_metadata, tables.metadata] if with_delivery else service_metadata
    engine = make_engine(str(url))
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
