"""Shared fixtures: a real Redis for the session and a database per test on every configured backend."""

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from grants_shared.event_keys import new_keys
from tests.support.infra import database_backends, fresh_database, redis_for_tests

# Tests read their own writes at once: the APIs' read caches are off unless a test turns them on.
os.environ.setdefault("GRANTS_READ_CACHE_TTL_S", "0")
# Likewise /readyz and /metrics answer afresh each time (a scrape after a request must see it), unless a test says so.
os.environ.setdefault("GRANTS_PROBE_CACHE_S", "0")
# Tests build APIs without their workers: /readyz demands the consumer groups only where a test says so.
os.environ.setdefault("GRANTS_READY_GROUPS", "false")
# Every process a test starts (workers, `grants run`) signs and verifies events with this run's keys.
os.environ.setdefault("GRANTS_EVENT_KEYS", json.dumps(new_keys("test-1")))


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Redis server for the whole run."""
    with redis_for_tests(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture(params=database_backends())
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database, once per configured backend (SQLite, and PostgreSQL when configured)."""
    with fresh_database(request.param, tmp_path, "svc") as url:
        yield url
