"""How fresh reporting's read models are (every one is kept by the reporting consumer group), and their answers
cached by the last event that group applied."""

from collections.abc import Callable, Hashable
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from grants_shared.http.app import CachedReader
from grants_shared.http.freshness import applied_version, freshness, known_freshness

GROUP = "reporting"
Build = Callable[[Session, dict[str, Any]], Any]
"""Builds an answer from a read-only snapshot and the freshness block measured just before it."""


def read_model_freshness(request: Request) -> dict[str, Any]:
    """The `freshness` block of a reporting read model (cached for a second)."""
    return freshness(request.app.state.settings.redis_url, request.app.state.engine, [GROUP])


async def read_model_answer(request: Request, reads: CachedReader, key: Hashable, build: Build) -> Any:
    """`build`'s answer for `key`, kept while the read cache's TTL lasts and no newer event has been applied.

    A hit is answered on the event loop (a dict look-up, no thread, no connection); a miss, or a freshness block
    older than a second, is read on a worker thread, where waiting on Redis or the database blocks no one.
    """
    block = known_freshness(request.app.state.settings.redis_url, request.app.state.engine, [GROUP])
    if block is not None:
        hit = reads.peek(key, applied_version(block))
        if hit is not None:
            return hit
    return await run_in_threadpool(_read, request, reads, key, build)


def _read(request: Request, reads: CachedReader, key: Hashable, build: Build) -> Any:
    block = read_model_freshness(request)
    return reads(key, lambda session: build(session, block), applied_version(block))
