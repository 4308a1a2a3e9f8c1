"""Integration tests run their async tests on asyncio; the delivery tests share a database and a loop keeper."""

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from grants_shared import tables
from grants_shared.db import make_engine, session_factory
from tests.support.consuming import Running, effects_md


@pytest.fixture
def anyio_backend() -> str:
    """AnyIO's backend for the async tests here."""
    return "asyncio"


@pytest.fixture
def sessions(database_url: str) -> Iterator[Any]:
    """Sessions on a database with the platform's shared tables and the test effects table."""
    engine = make_engine(database_url)
    tables.metadata.create_all(engine)
    effects_md.create_all(engine)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
async def running() -> AsyncIterator[Running]:
    """Consumers and relays started by a test, stopped after it."""
    started = Running()
    yield started
    await started.stop()
