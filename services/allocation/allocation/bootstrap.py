"""Lazily built process-wide objects: settings, engine and session factory (never at import time)."""

from functools import cache

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from allocation.config import Settings
from grants_shared.db import make_engine, session_factory


@cache
def settings() -> Settings:
    """The settings read from the environment once."""
    return Settings()


@cache
def engine() -> Engine:
    """The engine of the allocation database."""
    return make_engine(settings().db_url())


@cache
def sessions() -> sessionmaker[Session]:
    """The session factory of the allocation database."""
    return session_factory(engine())


def reset() -> None:
    """Forget the cached objects (tests point the service at a new database)."""
    if engine.cache_info().currsize:
        engine().dispose()
    for cached in (sessions, engine, settings):
        cached.cache_clear()
