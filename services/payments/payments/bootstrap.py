"""The payments service's settings, engine, sessions and provider, built lazily (never at import time)."""

import logging
import time
from functools import cache

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.db import make_engine, migrate, session_factory
from payments.adapters.provider import SandboxBankProvider
from payments.config import Settings

log = logging.getLogger(__name__)


@cache
def settings() -> Settings:
    """The settings read from the environment (once)."""
    return Settings()


@cache
def engine() -> Engine:
    """The database engine of the payments service."""
    return make_engine(settings().db_url())


@cache
def sessions() -> sessionmaker[Session]:
    """The session factory every unit of work opens sessions from."""
    return session_factory(engine())


def provider() -> SandboxBankProvider:
    """A new client of the payment provider (one per loop, so no two threads share a connection pool)."""
    cfg = settings()
    return SandboxBankProvider(cfg.sandbox_bank_url, timeout=cfg.provider_timeout_s)


def prepare_database(attempts: int = 20) -> None:
    """Migrate to the newest schema when configured; the API and worker may race, so the loser retries."""
    cfg = settings()
    if not cfg.migrate_on_start:
        return
    for attempt in range(1, attempts + 1):
        try:
            migrate(cfg.db_url(), "payments")
            return
        except Exception as error:  # a concurrent migration of the other process; it finishes soon
            if attempt == attempts:
                raise
            log.warning("migration attempt %d failed (%r); retrying", attempt, error)
            time.sleep(0.5)


def reset() -> None:
    """Forget the cached settings, engine and sessions (tests change the environment between cases)."""
    if engine.cache_info().currsize:
        engine().dispose()
    for cached in (settings, engine, sessions):
        cached.cache_clear()
