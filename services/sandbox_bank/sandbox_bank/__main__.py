"""Run the sandbox bank: ``python -m sandbox_bank`` (host, port and the rest from ``SANDBOX_BANK_*``)."""

from __future__ import annotations

import uvicorn

from .app import create_app
from .config import get_settings


def main() -> None:
    """Start uvicorn with the settings from the environment."""
    settings = get_settings()
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        timeout_graceful_shutdown=max(1, int(settings.timeout_seconds) + 1),
    )


if __name__ == "__main__":
    main()
