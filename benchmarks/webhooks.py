"""Benchmark: webhooks for a £175m round over 225 wards (3,825 events), on SQLite files.

Run: ``uv run python -m benchmarks.webhooks``. Two figures, each against a baseline measured in the same run:

- fan-out: the `reporting-webhooks` group applying the round's events (inbox, one transaction per 200 as the
  consumer batches them) with ten subscriptions (all events, by type, by ward) writing their deliveries; baseline:
  the same group applying the same events with no subscription (the consumer's own cost).
- sending: the sender delivering the first 1,000 deliveries (SSRF check, signing, lease, POST, attempt recorded)
  to a receiver on loopback; baseline: plain httpx POSTs of the same bodies to the same receiver, as concurrently.
"""

import asyncio
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import delete, func, select

from grants_shared.auth import Principal, Role
from grants_shared.db import make_engine, migrate, session_factory
from grants_shared.delivery.apply import apply_envelopes
from grants_shared.delivery.messages import Route
from grants_shared.events import Envelope, GrantAwarded, TrancheScheduled, wrap
from reporting.adapters.orm_webhooks import WebhookDelivery
from reporting.webhooks import fanout, manage, ssrf
from reporting.webhooks.schemas import SubscriptionIn
from reporting.webhooks.sender import Sender, SenderTuning

WARDS = 225
TRANCHES = 16
BATCH = 200
SENT = 1000  # deliveries sent (the Python receiver, not the sender, bounds how many a run can afford)
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def round_events() -> list[Envelope[Any]]:
    """Each ward's grant awarded and its sixteen tranches scheduled."""
    events: list[Envelope[Any]] = []
    amount = 17_500_000_000 // WARDS
    for n in range(WARDS):
        grant = f"grant-{n}"
        events.append(
            wrap(
                GrantAwarded(
                    grant_id=grant,
                    round_id="round-1",
                    run_id="run-1",
                    application_id=f"app-{n}",
                    organisation_id=f"org-{n}",
                    partnership_id=f"p-{n}",
                    neighbourhood_code=f"E05{n:06d}",
                    region_code="E12000004",
                    imd_decile=1,
                    amount_pence=amount,
                    duration_months=120,
                    awarded_at=T0,
                ),
                subject=grant,
                occurred_at=T0,
            )
        )
        for k in range(1, TRANCHES + 1):
            events.append(
                wrap(
                    TrancheScheduled(
                        grant_id=grant,
                        tranche_id=f"{grant}-t{k}",
                        number=k,
                        of_tranches=TRANCHES,
                        due_on=date(2026, 1, 1) + timedelta(days=30 * k),
                        amount_pence=amount // TRANCHES,
                    ),
                    subject=grant,
                    occurred_at=T0 + timedelta(minutes=k),
                )
            )
    return events


def subscriptions(url: str) -> list[dict[str, Any]]:
    """Ten subscribers: two to everything, four by type, four by ward."""
    everything: list[dict[str, Any]] = [{}, {}]
    by_type = [{"event_types": ["grant-awarded"]}] * 2 + [{"event_types": ["tranche-scheduled"]}] * 2
    by_ward = [{"neighbourhood_codes": [f"E05{n:06d}"]} for n in range(4)]
    return [{"url": url, **f} for f in everything + by_type + by_ward]


def applied(
    folder: Path, name: str, events: list[Envelope[Any]], subscribers: list[dict[str, Any]]
) -> tuple[float, Any]:
    """Seconds the group takes over the events with these subscribers; the session factory."""
    url = f"sqlite:///{folder / name}.db"
    migrate(url, "reporting")
    sessions = session_factory(make_engine(url))
    principal = Principal(subject="bench", roles=frozenset({Role.INTEGRATOR}), organisation_id="org-bench")
    with sessions() as session:
        for body in subscribers:
            manage.create(session, principal, SubscriptionIn(**body))
        session.commit()
    routes = [Route(event, handle) for event, handle in fanout.routes()]
    started = time.perf_counter()
    for start in range(0, len(events), BATCH):
        apply_envelopes(sessions, fanout.GROUP, routes, events[start : start + BATCH])
    return time.perf_counter() - started, sessions


class _Ok(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real endpoint would

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self.send_response(204)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *_: Any) -> None:
        pass


def receiver() -> tuple[ThreadingHTTPServer, str]:
    """A receiver answering 204 on loopback."""
    ThreadingHTTPServer.request_queue_size = 128
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/hooks"


async def send_all(sessions: Any) -> float:
    """Seconds the sender takes to deliver every pending delivery."""
    sender = Sender(sessions, ssrf.Policy(allow_loopback=True, allow_http=True), tuning=SenderTuning(batch=200))
    started = time.perf_counter()
    while await sender.send_due():
        pass
    elapsed = time.perf_counter() - started
    await sender.aclose()
    return elapsed


async def post_all(url: str, bodies: list[str], concurrency: int = 16) -> float:
    """Seconds plain httpx takes to POST the bodies, as concurrently as the sender."""
    slots = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(timeout=10) as client:

        async def post(body: str) -> None:
            async with slots:
                (await client.post(url, content=body, headers={"content-type": "application/json"})).raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(post(b) for b in bodies))
        return time.perf_counter() - started


def report(what: str, baseline: float, result: float, unit: Callable[[float], str]) -> None:
    print(f"{what}: baseline {unit(baseline)}, result {unit(result)}, ratio {result / baseline:.2f}")


def main() -> None:
    events = round_events()
    server, url = receiver()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bare, _ = applied(folder, "bare", events, [])
        fanned, sessions = applied(folder, "fanned", events, subscriptions(url))
        with sessions() as session:
            owed = session.scalar(select(func.count()).select_from(WebhookDelivery)) or 0
            kept = select(WebhookDelivery.id).order_by(WebhookDelivery.id).limit(SENT)
            session.execute(delete(WebhookDelivery).where(WebhookDelivery.id.not_in(kept)))
            session.commit()
            bodies = list(session.scalars(select(WebhookDelivery.body)))
        print(f"{len(events)} events, {owed} deliveries owed to 10 subscribers; the first {len(bodies)} are sent")
        report("fan-out", bare, fanned, lambda s: f"{s:.2f} s ({len(events) / s:,.0f} events/s)")
        owed = len(bodies)
        plain = asyncio.run(post_all(url, bodies))
        sent = asyncio.run(send_all(sessions))
        report("sending", plain, sent, lambda s: f"{s:.2f} s ({owed / s:,.0f} deliveries/s)")
    server.shutdown()


if __name__ == "__main__":
    main()
