"""Profile the consumers' hot path: the batches the worker applies, without Redis (which costs next to nothing).

Run: ``uv run python -m benchmarks._pipeline_profile payments|reporting [events]``. Applies the benchmark's events
through `apply_envelopes` (the consumer's own `Batch`, one transaction per 200) under pyinstrument, prints the tree.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from pyinstrument import Profiler

from benchmarks import _pipeline_load as load
from benchmarks import _pipeline_runs as runs
from grants_shared.db import make_engine, migrate, session_factory
from grants_shared.delivery.apply import apply_envelopes


def main(service: str, events: int) -> None:
    """Apply `events` of the service's benchmark workload in batches of 200 under the profiler."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / f'{service}.db'}"
        migrate(url, service)
        sessions = session_factory(make_engine(url))
        if service == "payments":
            envelopes, routes = load.awards(events), runs.payments_routes()
        else:
            envelopes, routes = load.reporting_mix(events)[:events], runs.reporting_routes()
        profiler = Profiler(interval=0.0005)
        start = time.perf_counter()
        with profiler:
            for at in range(0, len(envelopes), 200):
                apply_envelopes(sessions, service, routes, envelopes[at : at + 200])
        elapsed = time.perf_counter() - start
        print(
            f"{service}: {len(envelopes):,} events in {elapsed:.2f} s = {len(envelopes) / elapsed:,.0f} events/s "
            "(under the profiler)"
        )
        print(profiler.output_text(unicode=False, color=False, show_all=False))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 2000)
