"""The app factory every service API uses: problems, limits, headers, health, metrics and tracing in one place."""

from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.telemetry import TelemetryConfig
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.db import read_only_session, session_factory
from grants_shared.delivery.lag_metrics import track_group
from grants_shared.http.docs import install_docs
from grants_shared.http.edge import EdgeSettings
from grants_shared.http.grant_tagging import GrantSpanTagging, bind_grant
from grants_shared.http.headers import HeaderPolicy, install_security_headers
from grants_shared.http.limits import BodySizeLimit
from grants_shared.http.metrics import RequestMetrics
from grants_shared.http.problems import install_problem_handlers, problem_response
from grants_shared.http.ratelimit import RATE_LIMITED_RESPONSE, RateLimit, RateLimitSettings
from grants_shared.http.readcache import ReadCache
from grants_shared.http.readiness import Readiness
from grants_shared.http.scrape import MetricsEndpoint
from grants_shared.logging_setup import configure_logging
from grants_shared.outbox_metrics import track_outbox
from grants_shared.settings import PlatformSettings
from grants_shared.telemetry import instrument_engine, setup_tracing, tracing_exported


def create_service_app(
    *,
    service: str,
    settings: PlatformSettings,
    engine: Engine,
    routers: Sequence[APIRouter],
    description: str,
    max_body_bytes: int = 256 * 1024,
    rate_limit: RateLimitSettings | None = None,
    edge: EdgeSettings | None = None,
) -> FastAPI:
    """A FastAPI app with /healthz, /readyz, /metrics, problem+json errors, body and rate limits, and tracing.

    /metrics serves the process's registry: request counts and latencies per route template and status, this
    service's outbox backlog, and whatever the service registers itself. Every answer carries the security headers
    (`headers.SecurityHeaders`); the docs are served where `edge.docs_on` says.
    """
    limits = rate_limit or RateLimitSettings()
    settings.require_redis_password()
    edge = edge or EdgeSettings()
    docs = edge.docs_on(settings.env)
    setup_tracing(f"{service}-api")
    configure_logging(f"{service}-api")
    # FastAPI's own tracing starts a span per request and per dependency whenever a tracer provider is installed
    # (setup_tracing always installs one): with no exporter those spans go nowhere, so it is on only when kept.
    telemetry: TelemetryConfig = {"tracing": tracing_exported()}
    app = FastAPI(
        title=f"{service} API",
        version="1.0.0",
        description=description,
        telemetry=telemetry,
        openapi_url="/openapi.json" if docs else None,
        docs_url=None,  # served by install_docs, each page with its own Content-Security-Policy
        redoc_url=None,
    )
    app.state.service = service
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    app.state.read_cache = ReadCache(settings.read_cache_ttl_s)
    app.state.readiness = Readiness(
        engine.url.render_as_string(hide_password=False), settings.redis_url, edge.probe_cache_s, service=service
    )
    install_problem_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes)
    if limits.enabled:  # added after the body limit, so it runs before it: a client over its limit costs no body read
        app.add_middleware(RateLimit, limits=limits, platform=settings)
    # Outermost of ours: the requests the limits refuse are counted and timed too.
    app.add_middleware(RequestMetrics, service=service, router=app.router)
    app.include_router(_health_router())
    if docs:
        install_docs(app)
    for router in routers:
        app.include_router(
            router, responses=RATE_LIMITED_RESPONSE if limits.enabled else None, dependencies=[Depends(bind_grant)]
        )
    _install_edge(app, settings, edge)
    track_outbox(service, engine)
    track_group(service, settings.redis_url, engine)
    if tracing_exported():  # a span per request and per statement cost a third of a cached read: only when kept
        instrument_engine(engine)
        app.add_middleware(GrantSpanTagging)  # inside the instrumentation's middleware: it sees the server span
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

        FastAPIInstrumentor.instrument_app(app, excluded_urls="healthz,readyz,metrics")
    return app


def _install_edge(app: FastAPI, settings: PlatformSettings, edge: EdgeSettings) -> None:
    """/metrics behind its scrape token where it must be, and the security headers around everything."""
    closed = edge.metrics_closed(settings.env)
    app.mount("/metrics", MetricsEndpoint(token=edge.metrics_token, closed=closed, cache_s=edge.probe_cache_s))
    install_security_headers(app, HeaderPolicy(hsts=edge.hsts(settings.env)))


def _health_router() -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/healthz", summary="The process is alive")
    def healthz(request: Request) -> dict[str, str]:
        return {"status": "ok", "service": request.app.state.service}

    not_ready: dict[int | str, dict[str, Any]] = {
        503: {"description": "A dependency does not answer", "content": {"application/problem+json": {}}}
    }

    @router.get("/readyz", summary="The database and Redis answer", response_model=None, responses=not_ready)
    async def readyz(request: Request) -> Any:
        checks = await request.app.state.readiness.checks()
        if all(checks.values()):
            return {"status": "ready", "checks": checks}
        return problem_response(503, "not-ready", "Not ready", "A dependency does not answer.", checks=checks)

    return router


async def get_sessions(request: Request) -> sessionmaker[Session]:
    """FastAPI dependency: the service's session factory (async: it never waits, so it needs no worker thread)."""
    sessions: sessionmaker[Session] = request.app.state.sessions
    return sessions


T = TypeVar("T")
READ_TIMEOUT_MS = 10_000  # a request someone waits for; a query slower than this is a fault to report, not to wait on


def read_session(request: Request) -> Iterator[Session]:
    """FastAPI dependency: a session on one read-only snapshot (`db.read_only`) for the whole request."""
    with read_only_session(request.app.state.engine, READ_TIMEOUT_MS) as session:
        yield session


def cached_read(request: Request, key: Hashable, read: Callable[[Session], T], version: Hashable = None) -> T:
    """`read(session)` on a read-only snapshot, its answer kept for GRANTS_READ_CACHE_TTL_S (see `ReadCache`).

    A request answered from the cache opens no database connection at all. The key must hold everything the
    answer depends on (route, query parameters; never the caller, so only answers every allowed caller may see);
    an answer of another `version` (e.g. the last event applied to a read model) is read again.
    """

    def compute() -> T:
        with read_only_session(request.app.state.engine, READ_TIMEOUT_MS) as session:
            return read(session)

    cache: ReadCache = request.app.state.read_cache
    return cache.get(key, compute, version)


class CachedReader:
    """Reads through the app's read cache on behalf of one request (see `cached_read`)."""

    def __init__(self, request: Request) -> None:
        self.request = request

    def __call__(self, key: Hashable, read: Callable[[Session], T], version: Hashable = None) -> T:
        """`read(session)`'s answer for `key`, from the cache or from a new read-only snapshot."""
        return cached_read(self.request, key, read, version)

    def peek(self, key: Hashable, version: Hashable = None) -> Any | None:
        """The cached answer for `key` if fresh and of `version`, else None: never waits, so safe on the loop."""
        cache: ReadCache = self.request.app.state.read_cache
        return cache.peek(key, version)


async def cached_reader(request: Request) -> CachedReader:
    """FastAPI dependency: reads through the read cache; a snapshot is opened only when an answer is computed."""
    return CachedReader(request)


Sessions = Annotated[sessionmaker[Session], Depends(get_sessions)]
ReadSession = Annotated[Session, Depends(read_session)]
CachedReads = Annotated[CachedReader, Depends(cached_reader)]
JSON = JSONResponse
