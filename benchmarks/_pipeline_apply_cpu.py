"""CPU time of the consumers' apply path, no profiler: ``python -m benchmarks._pipeline_apply_cpu reporting 5000``.

Applies the pipeline benchmark's events through `apply_envelopes` (the consumer's own `Batch`, one transaction per
200) on a fresh SQLite file, three times, and prints each run's CPU and wall seconds and the median's events per
CPU-second: the figure to compare before and after a change of the handlers on a shared machine.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import _pipeline_load as load
from benchmarks import _pipeline_runs as runs
from grants_shared.db import make_engine, migrate, session_factory
from grants_shared.delivery.apply import apply_envelopes


def once(service: str, envelopes: list, routes: list) -> tuple[float, float]:  # type: ignore[type-arg]
    """CPU and wall seconds to apply `envelopes` on a fresh database."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / f'{service}.db'}"
        migrate(url, service)
        sessions = session_factory(make_engine(url))
        cpu, wall = time.process_time(), time.perf_counter()
        for at in range(0, len(envelopes), 200):
            apply_envelopes(sessions, service, routes, envelopes[at : at + 200])
        return time.process_time() - cpu, time.perf_counter() - wall


def main(service: str, events: int) -> None:
    """Three runs; the median by CPU."""
    if service == "payments":
        envelopes, routes = load.awards(events), runs.payments_routes()
    else:
        envelopes, routes = load.reporting_mix(events)[:events], runs.reporting_routes()
    results = [once(service, envelopes, routes) for _ in range(3)]
    cpu = statistics.median(c for c, _ in results)
    cpus, walls = [round(c, 2) for c, _ in results], [round(w, 2) for _, w in results]
    print(f"{service}: {len(envelopes):,} events, CPU s {cpus}, wall s {walls}")
    print(f"median CPU {cpu:.2f} s = {len(envelopes) / cpu:,.0f} events per CPU-second")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 5000)
