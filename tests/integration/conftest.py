"""Integration tests run their async tests on asyncio."""

import pytest


@pytest.fixture
def anyio_backend() -> str:
    """AnyIO's backend for the async tests here."""
    return "asyncio"
