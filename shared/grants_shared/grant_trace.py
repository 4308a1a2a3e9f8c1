"""One trace per grant: a grant's root trace context is derived from its id, so every process finds it alone.

The root trace id is the first 16 bytes of sha256("grant:" + grant_id), its root span id the next 8. No process has
to look it up or store it: the award, a polling loop a week later and a webhook delivery all compute the same one.
Spans about a grant carry the attribute `grant.id` and a link to that root; spans with no cause of their own (the
payment loops' turns) are made children of it, so they land in the grant's trace itself. In Jaeger, search by tag
`grant.id=<id>` or open trace `grant_trace_hex(<id>)`.
"""

import hashlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import Link, NonRecordingSpan, Span, SpanContext, SpanKind, TraceFlags

from grants_shared.ids import stable_id
from grants_shared.log_context import bound
from grants_shared.telemetry import tracing_exported

GRANT_ID = "grant.id"
tracer = trace.get_tracer(__name__)


def _digest(grant_id: str) -> bytes:
    return hashlib.sha256(f"grant:{grant_id}".encode()).digest()


def grant_trace_id(grant_id: str) -> int:
    """The trace id of the grant's root trace (never zero: sha256 gives 128 bits that are)."""
    return int.from_bytes(_digest(grant_id)[:16], "big") or 1


def grant_trace_hex(grant_id: str) -> str:
    """The grant's trace id as Jaeger shows it (32 hex digits): what the dashboard's trace link opens."""
    return f"{grant_trace_id(grant_id):032x}"


def grant_root(grant_id: str) -> SpanContext:
    """The grant's root span context: the target of every link, the parent of every loop span."""
    span_id = int.from_bytes(_digest(grant_id)[16:24], "big") or 1
    return SpanContext(grant_trace_id(grant_id), span_id, is_remote=True, trace_flags=TraceFlags(TraceFlags.SAMPLED))


def grant_link(grant_id: str) -> Link:
    """A link from any span to the grant's root trace."""
    return Link(grant_root(grant_id), {GRANT_ID: grant_id})


def mark_grant(span: Span, grant_id: str | None) -> None:
    """Tag a running span (an HTTP request, a consumed event) as about `grant_id`, linked to its root."""
    if not grant_id or not span.is_recording():
        return
    span.set_attribute(GRANT_ID, grant_id)
    span.add_link(grant_root(grant_id), {GRANT_ID: grant_id})


def mark_current(grant_id: str | None) -> None:
    """mark_grant on the current span (webhook deliveries and HTTP handlers call this)."""
    mark_grant(trace.get_current_span(), grant_id)


@contextmanager
def grant_span(
    name: str, grant_id: str, *, kind: SpanKind = SpanKind.INTERNAL, attributes: Mapping[str, Any] | None = None
) -> Iterator[Span]:
    """A span in the grant's own trace (child of its root), tagged and linked; logs inside it carry the grant id.

    For work with no incoming trace context: polling loops, bank calls, deliveries started from a schedule.
    """
    if not tracing_exported():  # nobody keeps the span: only the log fields
        with bound(grant_id=grant_id):
            yield trace.INVALID_SPAN
        return
    parent = trace.set_span_in_context(NonRecordingSpan(grant_root(grant_id)))
    with bound(grant_id=grant_id):
        with tracer.start_as_current_span(
            name, context=parent, kind=kind, links=[grant_link(grant_id)], attributes={GRANT_ID: grant_id}
        ) as span:
            for key, value in (attributes or {}).items():
                span.set_attribute(key, value)
            yield span


def grant_of(payload: Any) -> str | None:
    """The grant an event is about: its payload's grant_id; for an award decision, the grant it creates; else None.

    An allocation decision that awards names the grant by its parts: allocation ids grants `stable_id("grant", run_id,
    application_id)` (allocation/usecases/runs.py), so the decision, and applications' handling of it, join the
    grant's trace too. Application events before it are about an application, not yet a grant.
    """
    fields = payload if isinstance(payload, dict) else vars(payload) if hasattr(payload, "__dict__") else {}
    value = fields.get("grant_id")
    if isinstance(value, str) and value:
        return value
    run_id, application_id = fields.get("run_id"), fields.get("application_id")
    if fields.get("awarded") is True and isinstance(run_id, str) and isinstance(application_id, str):
        return stable_id("grant", run_id, application_id)
    return None
