"""Benchmark: the event pipeline under the fund's real workload (issue 9), on a real Redis and real databases.

Run: ``make bench NAME=pipeline`` (or ``uv run python -m benchmarks.pipeline [--quick] [--postgres URL]
[--parts payments,reporting,latency,backlogs]``; GRANTS_BENCH_PIPELINE_QUICK=1, GRANTS_BENCH_POSTGRES_URL and
GRANTS_BENCH_PIPELINE_PARTS do the same through make). Redis is an embedded
redis-server (AOF, appendfsync always, as in production) unless GRANTS_BENCH_REDIS_URL names one (its database is
flushed). Databases are SQLite files (WAL) in a temporary folder, or fresh PostgreSQL databases.

1. Payments on a burst of `grant awarded` entries (each: a grant, 20 tranches, ledger postings, audit and outbox
   rows), its relay running beside it as in the worker; durable events per second to the last commit.
2. Reporting on the fund's mix of downstream events (awards, scheduled tranches, holds, releases, payments).
3. For each, in the same run and on the same entries: (a) redis-py read+ack in batches of 100, (b) a plain
   FastStream consumer writing one row per message, (c) a plain consumer writing the same number of rows per event
   as the platform's consumer did, in transactions of 100 events. Ratio = result / (c).
4. Backlogs drained by a worker started late; per-hop latency (producer commit to consumer commit) at 200 events/s;
   deliveries per event in the fault-free bursts (entries read plus claimed, per event).
The last line is `ratio: X`, the lower of the two consumers' ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from dataclasses import dataclass

from benchmarks import _pipeline_baselines as baselines
from benchmarks import _pipeline_load as load
from benchmarks import _pipeline_runs as runs
from benchmarks._pipeline_env import Place, place


@dataclass(frozen=True)
class Sizes:
    """How much work each part of the run does."""

    awards: int
    downstream: int
    award_backlog: int
    downstream_backlog: int
    latency_events: int


FULL = Sizes(awards=2_000, downstream=40_000, award_backlog=10_000, downstream_backlog=100_000, latency_events=4_000)
QUICK = Sizes(awards=300, downstream=5_000, award_backlog=1_000, downstream_backlog=10_000, latency_events=1_000)
RATE = 200.0
FASTSTREAM_SAMPLE = 5_000  # (b) commits once per message: its rate is measured on this many entries at most
PARTS = ("payments", "reporting", "backlogs", "latency")


def _line(label: str, events: int, timing: tuple[float, float]) -> str:
    seconds, cpu = timing
    return (
        f"  {label}: {events:,} events in {seconds:.2f} s = {events / seconds:,.0f} events/s "
        f"(CPU {cpu:.2f} s = {events / max(cpu, 1e-9):,.0f} events per CPU-second)"
    )


async def consumer_vs_baselines(where: Place, name: str, events: list, routes: list) -> float:  # type: ignore[type-arg]
    """Inject, run the service's consumer, then the three baselines on the same entries; print; return result/(c)."""
    where.flush_redis()
    load.inject(where.redis_url, events)
    streams, n = load.streams_of(events), len(events)
    _, sessions = where.service_sessions(name)
    result = await runs.drain(name, routes, sessions, where.redis_url, n)
    per_event = result.rows / n
    a = baselines.redis_only(where.redis_url, streams, n)
    sample = min(n, FASTSTREAM_SAMPLE)
    b = await baselines.faststream_plain(where.redis_url, streams, sample, where.database_url(f"{name}-plain-b"))
    c = baselines.plain_batches(where.redis_url, streams, n, round(per_event), where.database_url(f"{name}-plain-c"))
    print(f"{name} consumer ({n:,} events over {len(streams)} stream(s), {per_event:.1f} rows per event):")
    print(_line("baseline (a) redis-py read+ack, batches of 100", n, a))
    print(_line("baseline (b) plain FastStream, one row per message", sample, b))
    print(_line(f"baseline (c) plain consumer, {round(per_event)} rows per event, transactions of 100", n, c))
    print(_line("result", n, (result.seconds, result.cpu_s)))
    ratio = c[0] / result.seconds
    print(
        f"  deliveries per event: {result.deliveries_per_event:.3f} (read {result.stats.get('read', 0):,}, "
        f"claimed {result.stats.get('claimed', 0):,}, duplicates {result.stats.get('duplicate', 0):,}, "
        f"parked {result.stats.get('parked', 0):,}, batches {result.stats.get('batches', 0):,})"
    )
    print(
        f"  ratio {name} / (c): {ratio:.2f} (goal >= 0.5); by CPU time: {c[1] / result.cpu_s:.2f}; "
        f"result / (b): {(n / result.seconds) / (sample / b[0]):.2f}"
    )
    return ratio


async def backlog(where: Place, name: str, events: list, routes: list) -> None:  # type: ignore[type-arg]
    """A stopped worker's backlog: inject everything, then start the worker and time the drain."""
    where.flush_redis()
    load.inject(where.redis_url, events)
    _, sessions = where.service_sessions(name)
    drained = await runs.drain(name, routes, sessions, where.redis_url, len(events))
    verdict = "met" if drained.seconds < 60 else "MISSED"
    print(
        f"backlog {name}: {len(events):,} events drained in {drained.seconds:.1f} s "
        f"({drained.per_second:,.0f} events/s; goal < 60 s: {verdict}; "
        f"deliveries per event {drained.deliveries_per_event:.3f})"
    )


async def latency(where: Place, sizes: Sizes) -> None:
    """Per-hop latency: a producer commits one event per transaction at RATE/s; reporting's commit follows."""
    where.flush_redis()
    _, producer = where.service_sessions("payments")
    _, sessions = where.service_sessions("reporting")
    service = runs.Service("reporting", runs.reporting_routes(), sessions, where.redis_url)
    events = load.reporting_mix(sizes.latency_events, seed=11)[: sizes.latency_events]
    hops = await runs.hop_latency(producer, service, events, RATE)
    p50, p99 = runs.percentile(hops, 50) * 1000, runs.percentile(hops, 99) * 1000
    verdict = "met" if p50 < 10 and p99 < 50 else "MISSED"
    print(
        f"per-hop latency at {RATE:.0f} events/s ({len(hops):,} events, producer commit to reporting commit): "
        f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {hops[-1] * 1000:.1f} ms (goal p50 < 10, p99 < 50: {verdict})"
    )


async def run(sizes: Sizes, postgres_url: str | None, parts: list[str]) -> float | None:
    """The parts of the benchmark asked for; returns the lower consumer ratio (None when no consumer ran)."""
    ratios = []
    with place(postgres_url) as where:
        print(f"database: {where.dialect}; redis: {where.redis_url}; sizes: {sizes}; parts: {', '.join(parts)}")
        if "payments" in parts:
            ratios.append(
                await consumer_vs_baselines(where, "payments", load.awards(sizes.awards), runs.payments_routes())
            )
        if "reporting" in parts:
            ratios.append(
                await consumer_vs_baselines(
                    where, "reporting", load.reporting_mix(sizes.downstream), runs.reporting_routes()
                )
            )
        if "latency" in parts:
            await latency(where, sizes)
        if "backlogs" in parts:
            await backlog(where, "payments", load.awards(sizes.award_backlog, seed=12), runs.payments_routes())
            await backlog(
                where, "reporting", load.reporting_mix(sizes.downstream_backlog, seed=13), runs.reporting_routes()
            )
    return min(ratios) if ratios else None


def main(argv: list[str] | None = None) -> None:
    """Parse options (or the environment, under `make bench`), run, print `ratio: X` last."""
    parser = argparse.ArgumentParser(prog="benchmarks.pipeline")
    parser.add_argument("--quick", action="store_true", default=bool(os.environ.get("GRANTS_BENCH_PIPELINE_QUICK")))
    parser.add_argument(
        "--postgres",
        default=os.environ.get("GRANTS_BENCH_POSTGRES_URL"),
        help="a PostgreSQL URL whose server may create databases (default: SQLite files)",
    )
    parser.add_argument(
        "--parts",
        default=os.environ.get("GRANTS_BENCH_PIPELINE_PARTS", ",".join(PARTS)),
        help=f"a comma-separated subset of {','.join(PARTS)}",
    )
    options = parser.parse_args(argv or [])
    parts = [p for p in options.parts.split(",") if p in PARTS]
    ratio = asyncio.run(run(QUICK if options.quick else FULL, options.postgres, parts))
    print(f"ratio: {ratio:.2f}" if ratio is not None else "ratio: n/a (no consumer measured)")


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    main(sys.argv[1:])
