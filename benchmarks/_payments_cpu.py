"""CPU of the payments award path and of the relay publishing what it wrote (issue 9), without the consumer's loop.

Run: ``uv run python -m benchmarks._payments_cpu [awards] [--profile]``. Applies the pipeline benchmark's awards
through `apply_envelopes` (the consumer's own `Batch`, one transaction per 200) on a fresh SQLite file, then runs
`OutboxRelay.publish_pending` until the outbox is empty against GRANTS_BENCH_REDIS_URL (default: Redis DB 10 on
loopback, flushed before and after). Prints awards per CPU-second and the relay's CPU per award; with --profile,
cProfile's top functions of each (call counts are exact whatever the machine's load).
"""

from __future__ import annotations

import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

from redis import Redis
from sqlalchemy.orm import Session, sessionmaker

from benchmarks import _pipeline_load as load
from benchmarks import _pipeline_runs as runs
from grants_shared.db import make_engine, migrate, session_factory
from grants_shared.delivery.apply import apply_envelopes
from grants_shared.delivery.relay import OutboxRelay
from grants_shared.event_keys import keyring_of
from grants_shared.settings import PlatformSettings


def _apply(sessions: sessionmaker[Session], awards: int, profiler: cProfile.Profile | None) -> None:
    envelopes, routes = load.awards(awards), runs.payments_routes()
    start = time.process_time()
    if profiler:
        profiler.enable()
    for at in range(0, len(envelopes), 200):
        apply_envelopes(sessions, "payments", routes, envelopes[at : at + 200])
    if profiler:
        profiler.disable()
    cpu = time.process_time() - start
    print(f"apply: {awards:,} awards in {cpu:.2f} CPU-s = {awards / cpu:,.0f} awards per CPU-second")


def _relay(sessions: sessionmaker[Session], awards: int, profiler: cProfile.Profile | None) -> None:
    redis = Redis.from_url(os.environ.get("GRANTS_BENCH_REDIS_URL", "redis://127.0.0.1:6379/10"))
    redis.flushdb()
    relay = OutboxRelay(sessions, redis, signer=keyring_of(PlatformSettings()).signer("payments"))
    sent, start = 0, time.process_time()
    if profiler:
        profiler.enable()
    while published := relay.publish_pending():
        sent += published
    if profiler:
        profiler.disable()
    cpu = time.process_time() - start
    print(f"relay: {sent:,} rows in {cpu:.2f} CPU-s = {cpu / awards * 1000:.2f} ms per award")
    redis.flushdb()


def main(awards: int, profile: bool) -> None:
    """Apply `awards`, then publish their outbox rows, each timed by CPU (and profiled when asked)."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'payments.db'}"
        migrate(url, "payments")
        sessions = session_factory(make_engine(url))
        profilers = (cProfile.Profile(), cProfile.Profile()) if profile else (None, None)
        _apply(sessions, awards, profilers[0])
        _relay(sessions, awards, profilers[1])
        for profiler in profilers:
            if profiler:
                pstats.Stats(profiler).sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    numbers = [a for a in sys.argv[1:] if a.isdigit()]
    main(int(numbers[0]) if numbers else 600, "--profile" in sys.argv)
