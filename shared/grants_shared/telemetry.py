"""OpenTelemetry set-up shared by every process: a tracer provider, OTLP export when configured."""

import os

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from sqlalchemy import Engine

_configured: set[str] = set()


def tracing_exported() -> bool:
    """True when spans go somewhere (OTEL_EXPORTER_OTLP_ENDPOINT is set); without it tracing is pure cost."""
    return bool(os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"))


def setup_tracing(service_name: str) -> None:
    """Install a tracer provider named for the service; export over OTLP if OTEL_EXPORTER_OTLP_ENDPOINT is set."""
    if service_name in _configured:
        return
    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    if os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    _configured.add(service_name)


def instrument_engine(engine: Engine) -> None:
    """Trace every SQL statement of an engine."""
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    SQLAlchemyInstrumentor().instrument(engine=engine)


def instrument_redis() -> None:
    """Trace every Redis command (the broker's too)."""
    from opentelemetry.instrumentation.redis import RedisInstrumentor

    if not RedisInstrumentor().is_instrumented_by_opentelemetry:
        RedisInstrumentor().instrument()
