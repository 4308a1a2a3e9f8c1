"""The sandbox bank's HTTP app (routers and lifespan); run with ``uvicorn sandbox_bank.app:app``."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from grants_shared.http.docs import install_docs
from grants_shared.http.headers import install_security_headers
from grants_shared.http.problems import install_problem_handlers
from grants_shared.migrate import migrate_service

from . import api_control, api_payments, settlement
from .body_limit import BodySizeLimit
from .config import Settings, get_settings
from .db import ensure_sqlite_dir, make_engine, make_sessionmaker

PROBLEM = {"content": {"application/problem+json": {}}, "description": "problem+json (RFC 9457)"}
ERRORS: dict[int | str, dict[str, Any]] = dict.fromkeys((400, 404, 409, 413, 422), PROBLEM)
DESCRIPTION = (
    "A small real payment provider: idempotency keys, asynchronous settlement and failure injection. "
    "Amounts are integer pence, GBP only. Every error is problem+json (RFC 9457)."
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app with its own engine and session factory; the lifespan runs the background settler."""
    cfg = settings or get_settings()
    engine = make_engine(cfg.database_url)  # connects lazily: importing this module touches no file
    factory = make_sessionmaker(engine)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        ensure_sqlite_dir(cfg.database_url)
        if cfg.migrate_on_start:  # SANDBOX_BANK_MIGRATE_ON_START, the setting every service has
            await run_in_threadpool(migrate_service, "sandbox_bank", cfg.database_url)
        await run_in_threadpool(settlement.sweep_once, factory)  # catch up on anything that fell due while down
        task = asyncio.create_task(settlement.run_settler(factory, cfg.sweep_interval_seconds))
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            engine.dispose()

    app = FastAPI(
        title="Sandbox bank",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        responses=ERRORS,
        docs_url=None,  # install_docs serves them, each with a Content-Security-Policy that lets the page load
        redoc_url=None,
    )
    app.state.settings, app.state.sessions = cfg, factory
    app.add_middleware(BodySizeLimit, max_bytes=cfg.max_body_bytes)
    install_problem_handlers(app)
    app.include_router(api_payments.router)
    app.include_router(api_control.router)
    install_docs(app)
    install_security_headers(app)  # the same headers as the platform's APIs (no HSTS: the sandbox speaks plain HTTP)
    return app


app = create_app()
