"""Where the pipeline benchmark runs: a real Redis (embedded, or GRANTS_BENCH_REDIS_URL) and real databases.

SQLite files in a temporary folder by default; with a PostgreSQL URL, one fresh database per use, dropped after.
The bench's Redis database is flushed between phases: give GRANTS_BENCH_REDIS_URL a database of its own.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import redis
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.db import make_engine, migrate, session_factory


@dataclass
class Place:
    """A Redis URL and a factory of fresh, migrated service databases."""

    redis_url: str
    folder: Path
    postgres_url: str | None = None
    created: list[str] = field(default_factory=list)
    engines: list[object] = field(default_factory=list)

    @property
    def dialect(self) -> str:
        """sqlite or postgresql."""
        return "postgresql" if self.postgres_url else "sqlite"

    def flush_redis(self) -> None:
        """Empty the bench's Redis database (streams, groups, dead letters) before a phase."""
        redis.Redis.from_url(self.redis_url).flushdb()

    def database_url(self, name: str) -> str:
        """A new, empty database named after `name`."""
        if not self.postgres_url:
            return f"sqlite:///{self.folder / f'{name}-{uuid.uuid4().hex[:8]}.db'}"
        db = f"bench_{name}_{uuid.uuid4().hex[:8]}".replace("-", "_")
        with _admin(self.postgres_url) as admin:
            admin.execute(text(f'CREATE DATABASE "{db}"'))
        self.created.append(db)
        return make_url(self.postgres_url).set(database=db).render_as_string(hide_password=False)

    def service_sessions(self, service: str) -> tuple[str, sessionmaker[Session]]:
        """A fresh database migrated to the service's newest schema, and its session factory."""
        url = self.database_url(service)
        migrate(url, service)
        engine = make_engine(url)
        self.engines.append(engine)
        return url, session_factory(engine)

    def close(self) -> None:
        """Dispose of engines and drop the PostgreSQL databases made for the run."""
        for engine in self.engines:
            engine.dispose()  # type: ignore[attr-defined]
        if self.postgres_url:
            with _admin(self.postgres_url) as admin:
                for db in self.created:
                    admin.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))


@contextmanager
def _admin(url: str) -> Iterator[Connection]:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


@contextmanager
def place(postgres_url: str | None) -> Iterator[Place]:
    """Start (or reach) Redis and make a folder for SQLite files; stop and clean up after."""
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as folder:
        given = os.environ.get("GRANTS_BENCH_REDIS_URL")
        server = None
        if not given:
            from grants_cli.redis_server import EmbeddedRedis

            server = EmbeddedRedis(Path(folder) / "redis", persistent=True).start()
        where = Place(given or server.url, Path(folder), postgres_url)  # type: ignore[union-attr]
        try:
            where.flush_redis()
            yield where
        finally:
            where.close()
            if server is not None:
                server.stop()
