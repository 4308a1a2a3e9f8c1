"""A small HTTP/1.1 load generator on asyncio streams: keep-alive connections, closed-loop or paced.

wrk is not installed; httpx costs more per request than the servers measured, so the client speaks HTTP/1.1 itself
(a request is prepared bytes; a response is read to its Content-Length). Paced runs time each request from when it
was due, not when it was sent, so a server that falls behind is charged for the wait (no coordinated omission).
"""

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

MakeRequest = Callable[[], bytes]
DROPPED = 599  # the status counted when the server closed the connection without an answer


@dataclass
class Run:
    """What one run measured: latencies in seconds, statuses, and how long it took."""

    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        """Completed requests per second."""
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """The p-th percentile latency in milliseconds."""
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))] * 1000 if ordered else float("nan")


def request(method: str, path: str, port: int, headers: dict[str, str] | None = None, body: bytes = b"") -> bytes:
    """The bytes of one HTTP/1.1 keep-alive request."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", *(f"{k}: {v}" for k, v in (headers or {}).items())]
    if body or method == "POST":
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return status


async def _connection(
    port: int, make: MakeRequest, run: Run, until: float, interval: float | None, start: float
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    due = start
    try:
        while (now := time.perf_counter()) < until:
            if interval is not None:
                if due > now:
                    await asyncio.sleep(due - now)
                sent_at, due = due, due + interval
            else:
                sent_at = now
            writer.write(make())
            try:
                status = await _response(reader)
            except (asyncio.IncompleteReadError, ConnectionError):  # the server dropped us: count it, reconnect
                status = DROPPED
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            run.latencies.append(time.perf_counter() - sent_at)
            run.statuses[status] = run.statuses.get(status, 0) + 1
    finally:
        writer.close()


async def _load(port: int, make: MakeRequest, connections: int, seconds: float, rate: float | None) -> Run:
    run = Run()
    start = time.perf_counter()
    interval = connections / rate if rate else None
    tasks = [
        _connection(port, make, run, start + seconds, interval, start + (interval or 0) * i / connections)
        for i in range(connections)
    ]
    await asyncio.gather(*tasks)
    run.seconds = time.perf_counter() - start
    return run


def load(port: int, make: MakeRequest, *, connections: int, seconds: float, rate: float | None = None) -> Run:
    """Send requests on `connections` connections for `seconds`: as fast as answered, or `rate` per second in all."""
    return asyncio.run(_load(port, make, connections, seconds, rate))
