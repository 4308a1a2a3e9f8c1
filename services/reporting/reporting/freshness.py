"""How fresh reporting's read models are: every one is kept by the reporting consumer group."""

from typing import Any

from fastapi import Request

from grants_shared.http.freshness import freshness

GROUP = "reporting"


def read_model_freshness(request: Request) -> dict[str, Any]:
    """The `freshness` block of a reporting read model (cached for a second)."""
    return freshness(request.app.state.settings.redis_url, request.app.state.engine, [GROUP])
