"""Benchmark: the public pages, cached (the read cache and ETag) against the same server computing every answer.

Run: ``make bench NAME=public``. Reporting runs on a SQLite database holding 10,000 grants of 30 tranches (the api
benchmark's data) under uvicorn on loopback, twice: with the read cache (GRANTS_READ_CACHE_TTL_S=1, the default)
and without it (0: the baseline, every request reads the database). Each route is driven by CONNECTIONS keep-alive
connections for SECONDS; a third run asks again with the page's ETag (If-None-Match: 304, no body).
Goal: cached >= 10x uncached on the fund page. The last line is `ratio: X`, X the lowest ratio over the routes.
"""

import json
import os
import tempfile
import time
import urllib.request
from contextlib import ExitStack
from pathlib import Path

from benchmarks._api_data import load_reporting
from benchmarks._load import MakeRequest, Run, load, request
from benchmarks.api import server
from grants_cli.redis_server import EmbeddedRedis

CONNECTIONS = 8
SECONDS = float(os.environ.get("BENCH_PUBLIC_SECONDS", "4"))
GOAL = 10.0


def _rate(port: int, make: MakeRequest) -> Run:
    load(port, make, connections=CONNECTIONS, seconds=0.5)  # warm up
    return load(port, make, connections=CONNECTIONS, seconds=SECONDS)


def _etag(port: int, path: str) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as response:
        return str(response.headers["ETag"])


def _line(name: str, run: Run) -> str:
    statuses = dict(sorted(run.statuses.items()))
    return f"  {name}: {run.rate:,.0f} req/s, p50 {run.percentile(50):.1f} p99 {run.percentile(99):.1f} ms {statuses}"


def main() -> None:
    """Fill the database, serve it cached and uncached, drive each public route, print the figures."""
    with tempfile.TemporaryDirectory(prefix="bench-public-") as tmp, ExitStack() as stack:
        folder = Path(tmp)
        redis = EmbeddedRedis(folder / "redis", persistent=False).start()
        stack.callback(redis.stop)
        url = f"sqlite:///{folder / 'reporting.db'}"
        started = time.perf_counter()
        load_reporting(url)
        print(f"set-up: 10,000 grants of 30 tranches: {time.perf_counter() - started:.0f} s")
        env = {
            "REDIS_URL": redis.url,
            "GRANTS_VAR_DIR": str(folder),
            "REPORTING_DATABASE_URL": url,
            "GRANTS_RATE_LIMIT_PER_MINUTE": "100000000",
            "GRANTS_RATE_LIMIT_BURST": "10000000",
        }
        cached = stack.enter_context(server("reporting.api:create_app", {**env, "GRANTS_READ_CACHE_TTL_S": "1"}))
        bare = stack.enter_context(server("reporting.api:create_app", {**env, "GRANTS_READ_CACHE_TTL_S": "0"}))
        ward = _first_ward(cached)
        ratios = []
        for path in ("/public/", f"/public/neighbourhoods/{ward}", "/public/api/fund"):
            baseline = _rate(bare, lambda p=path: request("GET", p, bare))
            result = _rate(cached, lambda p=path: request("GET", p, cached))
            tag = _etag(cached, path)
            revalidated = _rate(cached, lambda p=path, t=tag: request("GET", p, cached, {"If-None-Match": t}))
            print(f"GET {path}")
            print(_line("baseline (no cache)", baseline))
            print(_line("result (read cache)", result))
            print(_line("with If-None-Match (304)", revalidated))
            ratios.append(result.rate / baseline.rate if baseline.rate else float("inf"))
        ratio = min(ratios)
        print(f"goal: cached >= {GOAL:.0f}x uncached; {'met' if ratio >= GOAL else 'NOT met'}")
        print(f"ratio: {ratio:.1f}")


def _first_ward(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/public/api/fund", timeout=120) as response:
        fund = json.loads(response.read())
    return str(fund["neighbourhoods"][0]["code"])
