"""One writer per database per process: every write transaction of a process runs on the writer's own thread(s).

SQLite has one write lock per database. Writers that each take a thread from a shared pool contend for it through
SQLite's busy handler (which sleeps, in growing steps, up to its timeout) and can starve the pool: a transaction begun
on one pool thread cannot finish if its commit waits for a thread. A writer owns its threads instead: one on SQLite
(writes queue in order, nobody sleeps on the lock inside the process), a few on PostgreSQL (row locks, real
concurrency). A transaction always begins and ends inside one call on one writer thread; nothing awaits in between.
"""

import asyncio
import contextvars
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from functools import partial
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.db import read_only_session
from grants_shared.events.envelope import Envelope
from grants_shared.uow import UnitOfWork

T = TypeVar("T")
P = ParamSpec("P")
POSTGRES_WRITERS = 4


def writer_threads(engine: Engine) -> int:
    """How many writer threads a database wants: one for SQLite's single write lock, a few for PostgreSQL."""
    return 1 if engine.dialect.name == "sqlite" else POSTGRES_WRITERS


class DatabaseWriter:
    """Runs write work on threads of its own: `run` from the event loop, `call` from any other thread."""

    def __init__(self, sessions: sessionmaker[Session], *, threads: int | None = None, name: str = "db-writer") -> None:
        self.sessions = sessions
        engine = sessions.kw["bind"]
        self._idents: set[int] = set()
        self._executor = ThreadPoolExecutor(
            max_workers=threads or writer_threads(engine), thread_name_prefix=name, initializer=self._register
        )

    def _register(self) -> None:
        self._idents.add(threading.get_ident())

    def on_writer_thread(self) -> bool:
        """True when the caller already runs on one of this writer's threads."""
        return threading.get_ident() in self._idents

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run `fn` on a writer thread and await its result (it finishes even if the awaiting task is cancelled)."""
        # In the caller's context: the trace and the log fields (grant, event) go with the work to the writer thread.
        context = contextvars.copy_context()
        return await asyncio.wrap_future(self._executor.submit(partial(context.run, fn, *args, **kwargs)))

    def call(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run `fn` on a writer thread and wait for it (from a plain thread; inline when already on one)."""
        if self.on_writer_thread():
            return fn(*args, **kwargs)
        return self._executor.submit(partial(contextvars.copy_context().run, fn, *args, **kwargs)).result()

    def transact(self, work: Callable[[UnitOfWork], T], cause: Envelope[Any] | None = None) -> T:
        """Run `work` in one unit of work on a writer thread and commit it; returns what `work` returned."""

        def unit() -> T:
            with UnitOfWork(self.sessions, cause=cause) as uow:
                result = work(uow)
                uow.commit()
                return result

        return self.call(unit)

    def close(self) -> None:
        """Finish queued work and stop the threads."""
        self._executor.shutdown(wait=True)


class Database:
    """How background work reaches a database: reads from a read-only snapshot, writes as units of work on the writer.

    Without a writer (tests, one-off commands) the units of work run inline on the caller's thread.
    """

    def __init__(self, sessions: sessionmaker[Session], writer: DatabaseWriter | None = None) -> None:
        self.sessions, self.writer = sessions, writer

    def reading(self) -> AbstractContextManager[Session]:
        """A session on one read-only snapshot: it takes no write lock."""
        return read_only_session(self.sessions.kw["bind"])

    def transact(self, work: Callable[[UnitOfWork], T], cause: Envelope[Any] | None = None) -> T:
        """Run `work` in one unit of work and commit it (on the writer when there is one)."""
        if self.writer is not None:
            return self.writer.transact(work, cause)
        with UnitOfWork(self.sessions, cause=cause) as uow:
            result = work(uow)
            uow.commit()
            return result
