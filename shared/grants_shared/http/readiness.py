"""Readiness in milliseconds, whatever the worker's backlog: the database and Redis answer a trivial question.

The checks use their own connections, never the request pool (it may be busy with slow requests) and never a
transaction that takes a write lock (on SQLite a plain read beside the writer, on a WAL snapshot). Each check has a
deadline; a check still running when the next probe comes is not started twice. An answer is reused for `cache_s`
(GRANTS_PROBE_CACHE_S), so a storm of probes costs one query and one PING per period, not one per probe.
"""

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import redis.asyncio
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

DEADLINE_S = 1.0


def probe_engine(url: str) -> Engine:
    """A tiny engine of its own: one connection at a time, connects and queries with a one-second deadline."""
    if url.startswith("sqlite"):
        # No BEGIN IMMEDIATE (the service engine's hook is not on this one): a read that never waits on the writer.
        return create_engine(url, connect_args={"timeout": DEADLINE_S, "check_same_thread": False}, poolclass=NullPool)
    millis = int(DEADLINE_S * 1000)
    return create_engine(
        url,
        pool_size=1,
        max_overflow=0,
        pool_pre_ping=True,
        pool_timeout=DEADLINE_S,
        connect_args={"connect_timeout": 1, "options": f"-c statement_timeout={millis}"},
    )


def _select_one(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
        connection.rollback()


class Readiness:
    """The readiness checks of one API process."""

    def __init__(self, database_url: str, redis_url: str, cache_s: float = 0.0) -> None:
        self.engine = probe_engine(database_url)
        self.cache_s = cache_s
        self.last: tuple[float, dict[str, bool]] | None = None
        self.redis_url = redis_url
        self.threads = ThreadPoolExecutor(max_workers=1, thread_name_prefix="readyz")
        self.running: asyncio.Future[Any] | None = None

    async def database_ok(self) -> bool:
        """True when the database answers SELECT 1 within the deadline."""
        if self.running is None or self.running.done():
            self.running = asyncio.get_running_loop().run_in_executor(self.threads, _select_one, self.engine)
        try:
            await asyncio.wait_for(asyncio.shield(self.running), DEADLINE_S)
            return True
        except Exception:
            return False

    async def redis_ok(self) -> bool:
        """True when Redis answers PING within the deadline."""
        # A client per probe: a loopback connect costs well under a millisecond, and a client kept between probes
        # would be tied to the event loop that made it.
        try:
            client = redis.asyncio.Redis.from_url(
                self.redis_url, socket_timeout=DEADLINE_S, socket_connect_timeout=DEADLINE_S
            )
            async with client:
                return bool(await asyncio.wait_for(client.ping(), DEADLINE_S))
        except Exception:
            return False

    async def checks(self) -> dict[str, bool]:
        """Both checks, run together, or their answer of less than `cache_s` ago."""
        last = self.last
        if last is not None and time.monotonic() - last[0] < self.cache_s:
            return last[1]
        database, redis_ = await asyncio.gather(self.database_ok(), self.redis_ok())
        answer = {"database": database, "redis": redis_}
        self.last = (time.monotonic(), answer)
        return answer
