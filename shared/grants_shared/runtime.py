"""A service's process-wide objects: settings, engine and session factory, built lazily (never at import time)."""

from functools import cache
from typing import Generic, Protocol, TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.db import make_engine, session_factory
from grants_shared.migrate import migrate_service


class ServiceSettings(Protocol):
    """What a runtime needs of a service's settings: where its database is, and whether to migrate it on start."""

    migrate_on_start: bool

    def db_url(self) -> str:
        """The URL of the service's database."""
        ...


SettingsT = TypeVar("SettingsT", bound=ServiceSettings)


class ServiceRuntime(Generic[SettingsT]):
    """The settings, engine and sessions of one service, each built on first use and kept until `reset()`.

    `settings`, `engine` and `sessions` are `functools.cache` wrappers of this instance, so callers may also use
    their `cache_info()` and `cache_clear()` (clearing `settings` alone re-reads the environment, engine kept).
    """

    def __init__(self, settings_class: type[SettingsT], service: str) -> None:
        """Remember how to build the objects; nothing is read or connected until first use."""
        self.settings_class = settings_class
        self.service = service
        self.settings = cache(self._read_settings)
        self.engine = cache(self._make_engine)
        self.sessions = cache(self._make_sessions)

    def _read_settings(self) -> SettingsT:
        """The service's settings, read from the environment once."""
        return self.settings_class()

    def _make_engine(self) -> Engine:
        """The engine of the service's database."""
        return make_engine(self.settings().db_url())

    def _make_sessions(self) -> sessionmaker[Session]:
        """The session factory of the service's database."""
        return session_factory(self.engine())

    def migrate(self) -> None:
        """Bring the service's database to the newest schema (Alembic scripts in `<service>.migrations`)."""
        migrate_service(self.service, self.settings().db_url())

    def migrate_on_start(self, attempts: int = 20) -> None:
        """Migrate as the API or worker starts when `<SERVICE>_MIGRATE_ON_START` is true (the two may race)."""
        if self.settings().migrate_on_start:
            migrate_service(self.service, self.settings().db_url(), attempts=attempts)

    def reset(self) -> None:
        """Dispose of the engine if one was built and forget every cached object (tests change the environment)."""
        if self.engine.cache_info().currsize:
            self.engine().dispose()
        for cached in (self.sessions, self.engine, self.settings):
            cached.cache_clear()

    def __repr__(self) -> str:
        return f"ServiceRuntime({self.settings_class.__name__}, {self.service!r})"
