"""One trace per grant: the root is derived from the grant id alone; spans about a grant carry it and link to it."""

from collections.abc import Iterator

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from grants_shared.grant_trace import (
    GRANT_ID,
    grant_of,
    grant_root,
    grant_span,
    grant_trace_hex,
    grant_trace_id,
    mark_current,
)
from grants_shared.ids import stable_id
from grants_shared.log_context import event_id_var, grant_id_var


@pytest.fixture
def exported(monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemorySpanExporter]:
    """Spans kept in memory; tracing counts as exported (the code makes spans only then)."""
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9")  # loopback; nothing is sent there
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    exporter = InMemorySpanExporter()
    processor = SimpleSpanProcessor(exporter)
    provider.add_span_processor(processor)
    yield exporter
    processor.shutdown()  # the provider keeps it, but it exports nothing more


def test_the_root_is_the_same_from_any_process_and_differs_between_grants() -> None:
    assert grant_root("g-1") == grant_root("g-1") and grant_trace_id("g-1") != grant_trace_id("g-2")
    assert grant_trace_hex("g-1") == f"{grant_root('g-1').trace_id:032x}" and len(grant_trace_hex("g-1")) == 32
    assert grant_root("g-1").is_valid


def test_a_loop_span_is_in_the_grants_trace_tagged_and_linked(exported: InMemorySpanExporter) -> None:
    with grant_span("payments poll payment", "g-7", attributes={"instruction.id": "i-1"}):
        assert grant_id_var.get() == "g-7", "log lines inside carry the grant"
    (span,) = exported.get_finished_spans()
    root = grant_root("g-7")
    assert span.context.trace_id == root.trace_id and span.parent is not None and span.parent.span_id == root.span_id
    assert span.attributes[GRANT_ID] == "g-7" and span.attributes["instruction.id"] == "i-1"
    assert [link.context for link in span.links] == [root]
    assert grant_id_var.get() is None and event_id_var.get() is None


def test_a_request_span_keeps_its_trace_and_links_to_the_grant(exported: InMemorySpanExporter) -> None:
    with trace.get_tracer("test").start_as_current_span("POST /grants/{grant_id}/agreement") as span:
        mark_current("g-9")
    (finished,) = exported.get_finished_spans()
    assert finished.context.trace_id == span.get_span_context().trace_id != grant_trace_id("g-9")
    assert finished.attributes[GRANT_ID] == "g-9"
    assert [link.context for link in finished.links] == [grant_root("g-9")]


def test_without_an_exporter_no_span_is_made_but_the_log_fields_are(
    exported: InMemorySpanExporter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT")
    with grant_span("payments poll payment", "g-7") as span:
        assert not span.is_recording() and grant_id_var.get() == "g-7"
    assert exported.get_finished_spans() == ()


def test_the_grant_of_an_event_is_its_payloads_grant_id() -> None:
    assert grant_of({"grant_id": "g-1", "application_id": "a-1"}) == "g-1"
    assert grant_of({"application_id": "a-1"}) is None and grant_of({"grant_id": ""}) is None


def test_an_award_decision_is_about_the_grant_it_creates() -> None:
    decision = {"run_id": "r-1", "application_id": "a-1", "awarded": True}
    assert grant_of(decision) == stable_id("grant", "r-1", "a-1")
    assert grant_of({**decision, "awarded": False}) is None
