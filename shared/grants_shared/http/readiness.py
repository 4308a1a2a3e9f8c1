"""Readiness in milliseconds, whatever the worker's backlog: the database and Redis answer a cheap question.

For a platform service it means more than "answers": its consumer group exists on every stream it consumes (XINFO
GROUPS, one pipelined round trip), and its outbox's oldest unsent row is younger than GRANTS_READY_OUTBOX_MAX_AGE_S
(one indexed MIN query after the SELECT 1, on the same connection; an outbox locked past 200 ms is unknown, not
stuck). A relay that stopped publishing, or a Redis that lost
its groups, takes the API out of rotation instead of letting it accept work nobody will carry on.

The checks use their own connections, never the request pool (it may be busy with slow requests) and never a
transaction that takes a write lock (on SQLite a plain read beside the writer, on a WAL snapshot). Each check has a
deadline; a check still running when the next probe comes is not started twice. An answer is reused for `cache_s`
(GRANTS_PROBE_CACHE_S), so a storm of probes costs one query and one PING per period, not one per probe.
"""

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import redis.asyncio
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from grants_shared import tables
from grants_shared.clock import as_utc
from grants_shared.redis_acl import CONSUMES

DEADLINE_S = 1.0


class ReadinessSettings(BaseSettings):
    """GRANTS_READY_OUTBOX_MAX_AGE_S and GRANTS_READY_GROUPS: what a platform service's readiness also demands."""

    model_config = SettingsConfigDict(env_prefix="GRANTS_READY_", extra="ignore")

    outbox_max_age_s: float = Field(
        300.0, ge=0, description="Not ready while the oldest unsent outbox row is older than this (0: not checked)."
    )
    groups: bool = Field(True, description="Not ready while the service's consumer group is missing on a stream.")


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


def _outbox_age_s(engine: Engine) -> float | None:
    """SELECT 1, then the seconds the oldest unsent outbox row has waited (0: none), on one connection.

    None when the outbox could not be read in time (a lock held on it: DDL, or a test's ACCESS EXCLUSIVE): not known to
    be stuck, so not counted against readiness; the database itself answered.
    """
    unsent = tables.outbox.c.published_at.is_(None)
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
        try:
            if connection.dialect.name == "postgresql":  # a held lock must not cost the probe its deadline
                connection.execute(text("SET LOCAL lock_timeout = '200ms'"))
            oldest = connection.execute(select(func.min(tables.outbox.c.created_at)).where(unsent)).scalar()
        except DBAPIError:
            oldest, unknown = None, True
        else:
            unknown = False
        connection.rollback()
    if unknown:
        return None
    return 0.0 if oldest is None else max(0.0, (datetime.now(UTC) - as_utc(oldest)).total_seconds())


def consumed_streams(service: str) -> list[str]:
    """The streams on which `service`'s consumer group must exist (none for a service that consumes nothing)."""
    return sorted({event.stream() for event in CONSUMES.get(service, ())})


async def _groups_present(client: redis.asyncio.Redis, group: str, streams: list[str]) -> bool:
    async with client.pipeline(transaction=False) as pipe:
        for stream in streams:
            pipe.xinfo_groups(stream)
        replies = await pipe.execute(raise_on_error=False)
    for reply in replies:
        if isinstance(reply, Exception):  # no such stream: no group on it either
            return False
        names = {(info.get("name") or info.get(b"name") or b"") for info in reply}
        if group not in {n.decode() if isinstance(n, bytes) else n for n in names}:
            return False
    return True


class Readiness:
    """The readiness checks of one API process."""

    def __init__(
        self,
        database_url: str,
        redis_url: str,
        cache_s: float = 0.0,
        *,
        service: str = "",
        settings: ReadinessSettings | None = None,
    ) -> None:
        self.settings = settings or ReadinessSettings()
        self.service, self.streams = service, consumed_streams(service) if self.settings.groups else []
        # The outbox is checked only for the platform's services (their databases have one).
        self.outbox_checked = service in CONSUMES and self.settings.outbox_max_age_s > 0
        self.outbox_age_s: float | None = None
        self.engine = probe_engine(database_url)
        self.cache_s = cache_s
        self.last: tuple[float, dict[str, bool]] | None = None
        self.redis_url = redis_url
        self.threads = ThreadPoolExecutor(max_workers=1, thread_name_prefix="readyz")
        self.running: asyncio.Future[Any] | None = None

    async def database_ok(self) -> bool:
        """True when the database answers SELECT 1 within the deadline."""
        if self.running is None or self.running.done():
            query = _outbox_age_s if self.outbox_checked else _select_one
            self.running = asyncio.get_running_loop().run_in_executor(self.threads, query, self.engine)
        try:
            self.outbox_age_s = await asyncio.wait_for(asyncio.shield(self.running), DEADLINE_S)
            return True
        except Exception:
            self.outbox_age_s = None
            return False

    async def redis_ok(self) -> tuple[bool, bool]:
        """Whether Redis answers PING, and whether the service's group is on each stream it consumes."""
        # A client per probe: a loopback connect costs well under a millisecond, and a client kept between probes
        # would be tied to the event loop that made it.
        try:
            client = redis.asyncio.Redis.from_url(
                self.redis_url, socket_timeout=DEADLINE_S, socket_connect_timeout=DEADLINE_S
            )
            async with client:
                answers = bool(await asyncio.wait_for(client.ping(), DEADLINE_S))
                if not self.streams:
                    return answers, True
                found = await asyncio.wait_for(_groups_present(client, self.service, self.streams), DEADLINE_S)
                return answers, found
        except Exception:
            return False, False

    async def checks(self) -> dict[str, bool]:
        """The checks, run together, or their answer of less than `cache_s` ago."""
        last = self.last
        if last is not None and time.monotonic() - last[0] < self.cache_s:
            return last[1]
        database, (redis_, groups) = await asyncio.gather(self.database_ok(), self.redis_ok())
        answer = {"database": database, "redis": redis_}
        if self.streams:
            answer["consumer_groups"] = groups
        if self.outbox_checked:
            age = self.outbox_age_s
            answer["outbox"] = database and (age is None or age <= self.settings.outbox_max_age_s)
        self.last = (time.monotonic(), answer)
        return answer


def probe(service: str) -> dict[str, bool]:
    """The readiness checks of `service`, run once from its environment: what a worker's probe runs."""
    from grants_shared.migrate import database_url
    from grants_shared.settings import PlatformSettings

    readiness = Readiness(database_url(service), PlatformSettings().redis_url, service=service)
    return asyncio.run(readiness.checks())


if __name__ == "__main__":  # `python -m grants_shared.http.readiness payments`: exit 0 when ready (worker probes)
    import json
    import sys

    answer = probe(sys.argv[1])
    print(json.dumps(answer))
    sys.exit(0 if all(answer.values()) else 1)
