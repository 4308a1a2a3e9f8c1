"""Database engines and migrations: SQLite files by default, PostgreSQL when a URL says so."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

READ_ONLY = "grants_read_only"  # an execution option: this connection's transactions only read


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and write-locking transactions."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, **kwargs)
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)
    _make_sqlite_transactions_immediate(engine)
    return engine


def _make_sqlite_transactions_immediate(engine: Engine) -> None:
    # Two processes (API and worker) write one SQLite file: a deferred transaction that later
    # upgrades to a write lock can fail with SQLITE_BUSY without waiting, BEGIN IMMEDIATE cannot.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # 64 MiB of page cache per connection (taken as pages are read, not up front): the read models scan
        # hundreds of thousands of rows, and re-reading each page from the OS costs more than the query itself.
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        reads_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if reads_only else "BEGIN IMMEDIATE")


@contextmanager
def read_only(engine: Engine, timeout_ms: int = 2000) -> Iterator[Connection]:
    """A connection that only reads, from one snapshot: for scrapes and pages that must not hold writers up.

    SQLite begins it deferred, so it takes no write lock (WAL gives it a snapshot beside a writer); PostgreSQL runs it
    REPEATABLE READ, READ ONLY, with a statement timeout, so a slow query gives up before the caller does.
    Every query sees the same committed state, so figures read one after another agree. Nothing it did is kept.
    """
    with engine.connect() as connection:
        connection.execution_options(**{READ_ONLY: True})
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            connection.exec_driver_sql(f"SET LOCAL statement_timeout = {int(timeout_ms)}")
        yield connection
        connection.rollback()


@contextmanager
def read_only_session(engine: Engine, timeout_ms: int = 2000) -> Iterator[Session]:
    """An ORM session on a `read_only` connection: the same snapshot, for code that reads through a Session."""
    with read_only(engine, timeout_ms) as connection, Session(bind=connection) as session:
        yield session


_write_locks: dict[str, threading.RLock] = {}
_write_locks_guard = threading.Lock()


def sqlite_write_lock(bind: Any) -> "threading.RLock | None":
    """The process's lock on a SQLite file's write transactions (None for other databases).

    SQLite has one writer at a time; a thread that finds the file locked polls with growing sleeps (the busy
    handler), so a dozen request threads writing at once spend most of their time asleep while the lock is free.
    Taking this lock first queues them in this process instead, each starting its transaction the moment the
    previous one ends; only another process's writer (the worker) is still waited for by the busy handler.
    """
    if not isinstance(bind, Engine) or bind.dialect.name != "sqlite":
        return None
    path = bind.url.database or ""
    with _write_locks_guard:
        return _write_locks.setdefault(path, threading.RLock())


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory that keeps loaded objects usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def migrate(url: str, package: str, revision: str = "head") -> None:
    """Bring a service's database to the newest schema, or to `revision` (Alembic scripts in `<package>/migrations`)."""
    from alembic import command  # imported here: only migrations need Alembic, every API start would pay for it
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", f"{package}:migrations")
    config.set_main_option("sqlalchemy.url", url)
    config.attributes["database_url"] = url
    command.upgrade(config, revision)
