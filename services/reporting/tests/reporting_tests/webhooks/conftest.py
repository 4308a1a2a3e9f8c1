"""Fixtures of the webhook tests: reporting's worker running in the test's event loop."""

from collections.abc import AsyncIterator

import pytest
import redis

from reporting import bootstrap, worker


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def running_worker(db: str, redis_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[None]:
    """Reporting's worker in this process, in development mode with loopback endpoints allowed."""
    redis.Redis.from_url(redis_url).flushdb()
    for name, value in {
        "REPORTING_DATABASE_URL": db,
        "REDIS_URL": redis_url,
        "GRANTS_ENV": "development",
        "REPORTING_WEBHOOKS_ALLOW_LOOPBACK": "true",
        "GRANTS_CLAIM_IDLE_MS": "500",
    }.items():
        monkeypatch.setenv(name, value)
    bootstrap.reset()
    app = worker.create_app()
    await app.start()
    try:
        yield
    finally:
        await app.stop()
        bootstrap.reset()
        redis.Redis.from_url(redis_url).flushdb()
