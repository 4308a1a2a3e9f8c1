"""The sender loop: POST due deliveries with Standard Webhooks headers to the address checked just before.

Each attempt resolves the endpoint again and refuses it if any address is unsafe (ssrf), then connects to the
checked address itself, keeping the endpoint's name in the Host header and as the TLS server name. No redirect is
followed; every attempt has timeouts. What happened is recorded per attempt (store).
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import httpx

from grants_shared.crash import crash_point
from reporting.webhooks import signature, ssrf, store

log = logging.getLogger(__name__)
T = TypeVar("T")
Write = Callable[..., Awaitable[Any]]
CRASH_AFTER_SEND = "reporting.webhooks.after_send"  # the endpoint has it, the platform has not recorded it yet


@dataclass(frozen=True)
class SenderTuning:
    """How the sender works: batch, concurrency, timeouts, lease, idle poll and the disabling rule."""

    batch: int = 100
    concurrency: int = 16
    timeout_s: float = 10.0
    lease: timedelta = timedelta(minutes=2)
    idle_s: float = 0.2
    disable_after: timedelta = timedelta(days=1)


def pinned_request(target: ssrf.Target, headers: dict[str, str], body: str) -> httpx.Request:
    """A POST to the checked address, naming the endpoint's host in Host (and SNI, for https)."""
    url = httpx.URL(target.url)
    literal = f"[{target.address}]" if ":" in target.address else target.address
    default_port = 443 if target.scheme == "https" else 80
    host_header = target.host if target.port == default_port else f"{target.host}:{target.port}"
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    return httpx.Request(
        "POST",
        url.copy_with(host=literal),
        headers={**headers, "host": host_header},
        content=body.encode(),
        extensions=extensions,
    )


class Sender:
    """Sends what is due, records each attempt, until stopped."""

    def __init__(
        self,
        sessions: Any,
        policy: ssrf.Policy,
        *,
        tuning: SenderTuning = SenderTuning(),
        resolver: ssrf.Resolver = ssrf.system_resolver,
        transport: httpx.AsyncBaseTransport | None = None,
        write: Write | None = None,
    ) -> None:
        self.sessions, self.policy, self.tuning, self.resolver = sessions, policy, tuning, resolver
        self.transport = transport
        self._clients: dict[tuple[str, str, int, str], httpx.AsyncClient] = {}
        self.write: Write = write or asyncio.to_thread
        self._slots = asyncio.Semaphore(tuning.concurrency)
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        """End the loop after the current round."""
        self._stopping.set()

    async def run(self) -> None:
        """Send due deliveries until stopped; a failure of the database is logged and waited out."""
        try:
            while not self._stopping.is_set():
                try:
                    sent = await self.send_due()
                except Exception:
                    log.exception("webhook sender failed; retrying")
                    sent = 0
                if not sent:
                    await self._idle()
        finally:
            await self.aclose()

    async def aclose(self) -> None:
        """Close every connection pool."""
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()

    def _client_for(self, target: ssrf.Target) -> httpx.AsyncClient:
        """The pool of one endpoint name at one checked address: a connection made (and a TLS session verified)
        for one name is never reused for another name that happens to share the address."""
        key = (target.scheme, target.host, target.port, target.address)
        if key not in self._clients:
            self._clients[key] = httpx.AsyncClient(
                transport=self.transport,
                timeout=httpx.Timeout(self.tuning.timeout_s),
                follow_redirects=False,
                trust_env=False,
            )
        return self._clients[key]

    async def _idle(self) -> None:
        try:
            await asyncio.wait_for(self._stopping.wait(), self.tuning.idle_s)
        except TimeoutError:
            pass

    async def send_due(self) -> int:
        """Lease what is due, POST it, record the attempts; returns how many were attempted."""
        t = self.tuning
        due = await self.write(store.claim_due, self.sessions, datetime.now(UTC), t.batch, t.lease)
        if not due:
            return 0
        results = await asyncio.gather(*(self._bounded(d) for d in due))
        await self.write(store.record, self.sessions, list(results), datetime.now(UTC), t.disable_after)
        return len(due)

    async def _bounded(self, due: store.Due) -> store.Result:
        async with self._slots:
            return await self.attempt(due)

    async def attempt(self, due: store.Due) -> store.Result:
        """One POST of a delivery (or its refusal before any connection)."""
        started = time.monotonic()
        try:
            target = await ssrf.check(due.url, self.policy, self.resolver)
        except ssrf.UnsafeEndpoint as refused:
            return store.Result(due, None, 0, f"refused before connecting: {refused}")
        headers = signature.headers(due.secrets, due.id, int(time.time()), due.body)
        try:
            response = await self._client_for(target).send(pinned_request(target, headers, due.body), stream=True)
            await response.aclose()  # the answer's body is not wanted: only its status
        except httpx.HTTPError as error:
            return store.Result(due, None, _ms(started), f"{type(error).__name__}: {error}"[:500])
        crash_point(CRASH_AFTER_SEND)
        return store.Result(due, response.status_code, _ms(started))


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
