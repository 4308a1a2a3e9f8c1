"""Benchmark: the APIs at the edge, each route against a bare FastAPI app with the same shape, in the same run.

Run: ``make bench NAME=api`` (GRANTS_REFERENCE_DATA_DIR must name the reference data: the official registry).
Reporting runs on a SQLite database holding 10,000 grants of 30 tranches; applications on the official registry.
Every server is a real uvicorn process on loopback (production settings, a real JWT on every request, the rate
limit raised out of the way). The load generator (benchmarks/_load.py) keeps CONNECTIONS keep-alive connections
busy for SECONDS per route to find the peak, then paces the same route at half that peak for its latencies.
The bare app answers the same routes with the real answers captured beforehand (same sizes), doing nothing else.
`POST /applications` carries a unique Idempotency-Key and a unique body on every request.

Goals: reads >= 0.25 of bare, the write >= 0.1, every p99 at half peak < 100 ms, the dashboard's p95 < 50 ms.
The last line is `ratio: X`, X the lowest read ratio. BENCH_API_SECONDS changes the time per run (default 6).
"""

import itertools
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from benchmarks._api_data import applicant, call, load_registry, load_reporting
from benchmarks._load import MakeRequest, Run, load, request
from grants_cli.redis_server import EmbeddedRedis
from grants_shared.auth import Role
from tests.support.oidc import OidcProvider

CONNECTIONS = 16
SECONDS = float(os.environ.get("BENCH_API_SECONDS", "6"))
READS = ("GET /fund/position", "GET /neighbourhoods", "GET /dashboard")
GOALS = {"read_ratio": 0.25, "write_ratio": 0.1, "p99_ms": 100.0, "dashboard_p95_ms": 50.0}


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(target: str, env: dict[str, str]) -> Iterator[int]:
    """A uvicorn process serving `target` on a free loopback port, until the block ends."""
    port = free_port()
    args = [
        sys.executable,
        "-m",
        "uvicorn",
        target,
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    process = subprocess.Popen(args, env={**os.environ, **env})
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                    break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(f"{target} exited with {process.returncode}") from None
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)


def tokens(provider: OidcProvider) -> dict[str, Callable[..., str]]:
    """Token makers: the identity provider's tokens, as production servers take (RS256, keys from its JWKS)."""
    return {
        "operator": lambda: provider.mint("bench-operator", [Role.OPERATOR]),
        "finance": lambda: provider.mint("bench-finance", [Role.FINANCE_OFFICER]),
        "applicant": lambda org: provider.mint("bench-applicant", [Role.APPLICANT], org),
    }


def application_requests(port: int, token: str, partnership: str) -> MakeRequest:
    """POST /applications with a unique Idempotency-Key and body each time."""
    counter = itertools.count()

    def make() -> bytes:
        n = next(counter)
        body = {
            "partnership_id": partnership,
            "requested_pence": 150_000_000 + n % 1000,
            "duration_months": 120,
            "themes": ["places_to_meet", "youth"],
            "summary": f"A hall and a youth club, draft {n}.",
        }
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": f"bench-{os.getpid()}-{n}"}
        return request("POST", "/applications", port, headers, json.dumps(body).encode())

    return make


def measure(port: int, make: MakeRequest) -> tuple[Run, Run]:
    """The peak (closed loop), then latencies at half of it (paced)."""
    load(port, make, connections=CONNECTIONS, seconds=1.0)  # warm up
    peak = load(port, make, connections=CONNECTIONS, seconds=SECONDS)
    half = load(port, make, connections=CONNECTIONS, seconds=SECONDS, rate=peak.rate / 2)
    return peak, half


def summary(name: str, peak: Run, half: Run) -> str:
    """One route's figures on one line."""
    bad = {s: n for s, n in peak.statuses.items() if s >= 400}
    return (
        f"  {name}: {peak.rate:,.0f} req/s, p50 {peak.percentile(50):.1f} p95 {peak.percentile(95):.1f} "
        f"p99 {peak.percentile(99):.1f} ms at peak; at half peak p50 {half.percentile(50):.1f} "
        f"p95 {half.percentile(95):.1f} p99 {half.percentile(99):.1f} ms" + (f"; errors {bad}" if bad else "")
    )


def main() -> None:
    """Set up, capture the answers, measure the real APIs and the bare app, print the figures."""
    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp, ExitStack() as stack:
        provider = stack.enter_context(OidcProvider())
        make = tokens(provider)
        folder = Path(tmp)
        redis = EmbeddedRedis(folder / "redis", persistent=False).start()
        stack.callback(redis.stop)
        reporting_db, applications_db = f"sqlite:///{folder / 'reporting.db'}", f"sqlite:///{folder / 'apps.db'}"
        started = time.perf_counter()
        load_reporting(reporting_db)
        load_registry(applications_db)
        print(f"set-up: 10,000 grants of 30 tranches, the official registry: {time.perf_counter() - started:.0f} s")
        env = {
            **provider.env(),
            "REDIS_URL": redis.url,
            "GRANTS_VAR_DIR": str(folder),
            "REPORTING_DATABASE_URL": reporting_db,
            "APPLICATIONS_DATABASE_URL": applications_db,
            "GRANTS_RATE_LIMIT_PER_MINUTE": "100000000",
            "GRANTS_RATE_LIMIT_BURST": "10000000",
        }
        reporting = stack.enter_context(server("reporting.api:create_app", env))
        applications = stack.enter_context(server("applications.api:create_app", env))
        operator, finance = make["operator"](), make["finance"]()
        token, partnership = applicant(applications, operator, make["applicant"])
        post = application_requests(applications, token, partnership)
        routes: dict[str, tuple[int, MakeRequest]] = {
            "GET /fund/position": (
                reporting,
                lambda: request("GET", "/fund/position", reporting, {"Authorization": f"Bearer {finance}"}),
            ),
            "GET /neighbourhoods": (
                applications,
                lambda: request("GET", "/neighbourhoods", applications, {"Authorization": f"Bearer {token}"}),
            ),
            "GET /dashboard": (
                reporting,
                lambda: request("GET", "/dashboard", reporting, {"Authorization": f"Bearer {operator}"}),
            ),
            "POST /applications": (applications, post),
        }
        shapes = capture(reporting, applications, finance, operator, token, partnership, folder)
        bare = stack.enter_context(server("benchmarks._bare_api:create_app", {"BARE_API_SHAPES": str(shapes)}))
        report(routes, bare, token)


def capture(
    reporting: int, applications: int, finance: str, operator: str, token: str, partnership: str, folder: Path
) -> Path:
    """The real answers, written for the bare app to give back."""
    dashboard = urllib.request.Request(
        f"http://127.0.0.1:{reporting}/dashboard", headers={"Authorization": f"Bearer {operator}"}
    )
    with urllib.request.urlopen(dashboard, timeout=30) as response:
        html = response.read().decode()
    body = {
        "partnership_id": partnership,
        "requested_pence": 150_000_000,
        "duration_months": 120,
        "themes": ["places_to_meet"],
        "summary": "Captured for the bare app's answer.",
    }
    shapes = {
        "position": call(reporting, "GET", "/fund/position", finance),
        "neighbourhoods": call(applications, "GET", "/neighbourhoods", token),
        "dashboard": html,
        "application": call(applications, "POST", "/applications", token, body),
    }
    sizes = {k: len(v if isinstance(v, str) else json.dumps(v)) for k, v in shapes.items()}
    print(f"answer sizes (bytes): {sizes}")
    path = folder / "shapes.json"
    path.write_text(json.dumps(shapes))
    return path


def report(routes: dict[str, tuple[int, MakeRequest]], bare: int, token: str) -> None:
    """Measure each route and its bare twin, print the figures and the goals."""
    ratios: dict[str, float] = {}
    worst_p99, dashboard_p95 = 0.0, 0.0
    for name, (port, make) in routes.items():
        method, path = name.split(" ")
        bare_make = bare_request(bare, method, path, token) if method == "GET" else rebind(make, bare)
        base_peak, base_half = measure(bare, bare_make)
        peak, half = measure(port, make)
        ratios[name] = peak.rate / base_peak.rate
        worst_p99 = max(worst_p99, half.percentile(99))
        if path == "/dashboard":
            dashboard_p95 = half.percentile(95)
        print(f"{name}")
        print(summary("baseline (bare)", base_peak, base_half))
        print(summary("result", peak, half))
        print(f"  ratio: {ratios[name]:.3f}")
    lowest_read = min(ratios[r] for r in READS)
    write = ratios["POST /applications"]
    print(
        f"goals: reads >= {GOALS['read_ratio']} (lowest {lowest_read:.3f}), write >= {GOALS['write_ratio']} "
        f"({write:.3f}), every p99 at half peak < {GOALS['p99_ms']:.0f} ms (worst {worst_p99:.1f}), "
        f"dashboard p95 < {GOALS['dashboard_p95_ms']:.0f} ms ({dashboard_p95:.1f})"
    )
    print("baseline: bare FastAPI, same routes and answer sizes; result: the real APIs")
    print(f"ratio: {lowest_read:.3f}")


def bare_request(port: int, method: str, path: str, token: str) -> MakeRequest:
    """The same request, sent to the bare app."""
    data = request(method, path, port, {"Authorization": f"Bearer {token}"})
    return lambda: data


def rebind(make: MakeRequest, port: int) -> MakeRequest:
    """A request maker's requests, addressed to another port (the Host header only)."""
    return lambda: _rehost(make(), port)


def _rehost(data: bytes, port: int) -> bytes:
    head, sep, body = data.partition(b"\r\n\r\n")
    lines = [f"Host: 127.0.0.1:{port}".encode() if line.startswith(b"Host:") else line for line in head.split(b"\r\n")]
    return b"\r\n".join(lines) + sep + body


if __name__ == "__main__":
    main()
