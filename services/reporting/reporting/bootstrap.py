"""The process-wide settings, engine and session factory, built lazily on first use (never at import)."""

from functools import cache

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.db import make_engine, session_factory
from reporting.config import Settings


@cache
def settings() -> Settings:
    """The reporting settings, read from the environment once."""
    return Settings()


@cache
def engine() -> Engine:
    """The engine of the reporting database."""
    return make_engine(settings().db_url())


@cache
def sessions() -> sessionmaker[Session]:
    """The session factory of the reporting database."""
    return session_factory(engine())


def reset() -> None:
    """Forget the cached settings, engine and sessions (tests point the service at a new database)."""
    if engine.cache_info().currsize:
        engine().dispose()
    for built in (settings, engine, sessions):
        built.cache_clear()
