"""A backlog drained with its rate printed per window: `python -m benchmarks._pipeline_windows reporting 40000`.

Shows whether the drain rate stays flat as the backlog is worked through (events/s and events per CPU-second for
each `window` events applied), the held entries and parked rows along the way.
"""

from __future__ import annotations

import asyncio
import sys
import time

from sqlalchemy import func, select

from benchmarks import _pipeline_load as load
from benchmarks import _pipeline_runs as runs
from benchmarks._pipeline_env import place
from grants_shared import tables


async def watch(service: runs.Service, total: int, window: int) -> None:
    """Print a line each time another `window` events are applied."""
    start, cpu0 = time.perf_counter(), time.process_time()
    last_t, last_cpu, mark = start, cpu0, window
    while service.applied() < total:
        await asyncio.sleep(0.05)
        done = service.applied()
        if done >= mark or done >= total:
            now, cpu = time.perf_counter(), time.process_time()
            n = done - (mark - window)
            with service.sessions() as session:
                parked = session.execute(select(func.count()).select_from(tables.parked)).scalar_one()
            print(
                f"  {done:>7,} applied at {now - start:6.1f} s: window {n / (now - last_t):7,.0f} events/s, "
                f"{n / max(cpu - last_cpu, 1e-9):7,.0f} per CPU-s; held {len(service.consumer._held)}, "
                f"parked rows {parked}, stats {dict(service.consumer.stats)}",
                flush=True,
            )
            last_t, last_cpu, mark = now, cpu, done - done % window + window


async def main(name: str, n: int, window: int) -> None:
    """Inject `n` events for `name`, then drain them with the window printer beside."""
    with place(None) as where:
        events = load.awards(n, seed=12) if name == "payments" else load.reporting_mix(n, seed=13)
        load.inject(where.redis_url, events)
        _, sessions = where.service_sessions(name)
        routes = runs.payments_routes() if name == "payments" else runs.reporting_routes()
        service = runs.Service(name, routes, sessions, where.redis_url)
        start, cpu = time.perf_counter(), time.process_time()
        service.start()
        try:
            await watch(service, len(events), window)
        finally:
            await service.stop()
        seconds = time.perf_counter() - start
        print(
            f"{name}: {len(events):,} events in {seconds:.1f} s ({len(events) / seconds:,.0f} events/s, "
            f"CPU {time.process_time() - cpu:.1f} s)"
        )


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 10_000))
