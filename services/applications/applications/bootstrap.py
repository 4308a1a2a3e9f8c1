"""Lazily built process-wide objects: settings, engine and session factory (never at import time)."""

from functools import cache

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from applications.config import Settings
from grants_shared.db import make_engine, migrate, session_factory


@cache
def settings() -> Settings:
    """The settings read from the environment once."""
    return Settings()


@cache
def engine() -> Engine:
    """The engine of the applications database."""
    return make_engine(settings().db_url())


@cache
def sessions() -> sessionmaker[Session]:
    """The session factory of the applications database."""
    return session_factory(engine())


def migrate_database() -> None:
    """Bring the applications database to the newest schema."""
    migrate(settings().db_url(), "applications")


def reset() -> None:
    """Forget the cached objects (tests point the service at a new database)."""
    if engine.cache_info().currsize:
        engine().dispose()
    for cached in (sessions, engine, settings):
        cached.cache_clear()
