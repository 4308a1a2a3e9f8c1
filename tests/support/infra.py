"""Real infrastructure for tests: a Redis server and databases (SQLite always, PostgreSQL when configured)."""

import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import redis
from sqlalchemy import create_engine, text

from grants_cli.redis_server import EmbeddedRedis

POSTGRES_ENV = "GRANTS_TEST_POSTGRES_URL"
REDIS_ENV = "GRANTS_TEST_REDIS_URL"


@contextmanager
def redis_for_tests(tmp: Path) -> Iterator[str]:
    """A real Redis: the one GRANTS_TEST_REDIS_URL names (flushed), else an embedded server on a free port."""
    url = os.environ.get(REDIS_ENV)
    if url:
        redis.Redis.from_url(url).flushdb()
        yield url
        return
    server = EmbeddedRedis(tmp / "redis", persistent=False).start()
    try:
        yield server.url
    finally:
        server.stop()


def database_backends() -> list[str]:
    """The database kinds to test on: sqlite, plus postgresql when GRANTS_TEST_POSTGRES_URL is set."""
    return ["sqlite", "postgresql"] if os.environ.get(POSTGRES_ENV) else ["sqlite"]


@contextmanager
def fresh_database(kind: str, tmp: Path, name: str) -> Iterator[str]:
    """A new, empty database of `kind`; PostgreSQL ones are created for the test and dropped after it."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp / f'{name}.db'}"
        return
    admin_url = os.environ[POSTGRES_ENV]
    db = f"t_{name}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{db}"'))
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{db}"
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
        admin.dispose()


def production_settings(**more: Any) -> Any:
    """Production platform settings for an app that is sent no user token: a provider that is never asked, and a
    Redis user and password (the test Redis's `default` user has no password, so any will do)."""
    from pydantic import SecretStr

    from grants_shared.settings import PlatformSettings

    defaults: dict[str, Any] = {
        "env": "production",
        "oidc_issuer": "http://127.0.0.1:9/never-asked",
        "redis_username": "default",
        "redis_password": SecretStr("any-password-the-test-redis-has-no-acl"),
    }
    return PlatformSettings(**{**defaults, **more})


def production_redis_user(monkeypatch: Any) -> None:
    """Production refuses a Redis without a password; the test Redis's `default` user has none, so any will do."""
    monkeypatch.setenv("GRANTS_REDIS_USERNAME", "default")
    monkeypatch.setenv("GRANTS_REDIS_PASSWORD", "any-password-the-test-redis-has-no-acl")


def wait_until_answers(client: redis.Redis, timeout_s: float = 10) -> None:
    """Poll PING until a just-started Redis answers (or fail after `timeout_s`)."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            client.ping()
            return
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
