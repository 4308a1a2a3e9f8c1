"""One trace per grant: a walk across the real processes, its spans caught by a loopback OTLP collector."""

import time
from collections.abc import Iterator
from typing import Any

import pytest

from grants_cli.system import SERVICES
from grants_cli.walk import run_walk
from grants_shared.grant_trace import GRANT_ID, grant_root, grant_trace_id
from tests.support.otlp import Collector, Received, collector

pytestmark = pytest.mark.e2e


@pytest.fixture
def spans() -> Iterator[Collector]:
    with collector() as kept:
        yield kept


def tracing_env(endpoint: str) -> dict[str, dict[str, str]]:
    """Every process exports its spans to the collector, in small batches, quickly."""
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint, "OTEL_BSP_SCHEDULE_DELAY": "100"}
    names = ["sandbox-bank", *(f"{s}-{kind}" for s in SERVICES for kind in ("api", "worker"))]
    return {name: dict(env) for name in names}


def about_grant(spans: list[Received], grant_id: str) -> list[Received]:
    return [s for s in spans if s.attributes.get(GRANT_ID) == grant_id]


def wait_for(check: Any, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, "the spans never arrived"
        time.sleep(0.1)


def test_every_span_about_a_grant_joins_its_one_trace(start_system: Any, spans: Collector) -> None:
    running = start_system(tracing_env(spans.endpoint))
    walk = run_walk(running.client, log=lambda _: None)
    grant_id, root = walk.grant_id, grant_root(walk.grant_id)
    expected = {
        "allocation-worker",
        "applications-worker",
        "payments-api",
        "payments-worker",
        "reporting-api",
        "reporting-worker",
    }
    wait_for(lambda: expected <= {s.service for s in about_grant(spans.snapshot(), grant_id)})

    tagged = about_grant(spans.snapshot(), grant_id)
    for span in tagged:  # each one is in the grant's trace, or links to its root
        assert span.trace_id == grant_trace_id(grant_id) or (root.trace_id, root.span_id) in span.links, span
    in_trace = [s for s in tagged if s.trace_id == grant_trace_id(grant_id)]
    assert {s.name for s in in_trace} >= {"payments dispatch instruction", "payments poll payment"}
    names = {s.name for s in tagged}
    assert any(n.endswith("publish") for n in names) and any(n.endswith("process") for n in names), names
    other = [s for s in spans.snapshot() if s.attributes.get(GRANT_ID) not in (None, grant_id)]
    assert all(s.trace_id != grant_trace_id(grant_id) for s in other)
