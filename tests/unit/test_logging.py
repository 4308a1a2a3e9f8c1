"""Structured logs: JSON lines with service, trace, span, grant and event ids; plain text for people."""

import io
import json
import logging
from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import TracerProvider

from grants_shared.log_context import bound
from grants_shared.logging_setup import configure_logging, log_format


@pytest.fixture
def lines(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    out = io.StringIO()
    monkeypatch.setenv("GRANTS_LOG_FORMAT", "json")
    handler = configure_logging("payments-worker", stream=out)
    yield out
    logging.getLogger().removeHandler(handler)


def test_a_json_line_carries_the_service_trace_span_grant_and_event(lines: io.StringIO) -> None:
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("work") as span, bound(grant_id="g-1", event_id="e-1"):
        logging.getLogger("payments.loops").warning("tranche %s held", "t-1")
    record = json.loads(lines.getvalue().splitlines()[-1])
    context = span.get_span_context()
    assert record["message"] == "tranche t-1 held" and record["level"] == "WARNING"
    assert record["service"] == "payments-worker" and record["logger"] == "payments.loops"
    assert record["trace_id"] == f"{context.trace_id:032x}" and record["span_id"] == f"{context.span_id:016x}"
    assert (record["grant_id"], record["event_id"]) == ("g-1", "e-1")


def test_outside_any_grant_or_span_the_fields_are_null(lines: io.StringIO) -> None:
    logging.getLogger("x").info("idle")
    record = json.loads(lines.getvalue().splitlines()[-1])
    assert record["trace_id"] is None and record["grant_id"] is None and record["event_id"] is None


def test_fields_given_with_the_line_win_over_the_context(lines: io.StringIO) -> None:
    with bound(event_id="e-outer"):
        logging.getLogger("x").info("applied", extra={"event_id": "e-own", "grant_id": "g-2"})
    record = json.loads(lines.getvalue().splitlines()[-1])
    assert (record["event_id"], record["grant_id"]) == ("e-own", "g-2")


def test_text_for_people_names_the_grant_and_event(monkeypatch: pytest.MonkeyPatch) -> None:
    out = io.StringIO()
    monkeypatch.setenv("GRANTS_LOG_FORMAT", "text")
    handler = configure_logging("payments-api", stream=out)
    try:
        with bound(grant_id="g-3"):
            logging.getLogger("x").info("agreement recorded")
    finally:
        logging.getLogger().removeHandler(handler)
    line = out.getvalue().splitlines()[-1]
    assert "payments-api INFO agreement recorded [grant=g-3]" in line and not line.startswith("{")


def test_the_format_follows_the_environment_unless_chosen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GRANTS_LOG_FORMAT", raising=False)
    assert log_format("production") == "json" and log_format("development") == "text" and log_format("test") == "text"
    monkeypatch.setenv("GRANTS_LOG_FORMAT", "JSON")
    assert log_format("development") == "json"
    monkeypatch.setenv("GRANTS_LOG_FORMAT", "yaml")
    with pytest.raises(ValueError, match="GRANTS_LOG_FORMAT"):
        log_format()
