"""The soak's HTTP client: each POST is a numbered action, retried with its own Idempotency-Key until answered."""

import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx

from grants_cli.walk import Client
from grants_shared.ids import new_id

RETRYABLE = (429, 502, 503, 504)
Hook = Callable[[int, str], None]


class SoakClient(Client):
    """A `Client` that survives killed and paused services: it retries the same request, keeping its key."""

    def __init__(
        self,
        urls: dict[str, str],
        before_action: Hook | None = None,
        after_action: Callable[[str, bool], None] | None = None,
        give_up_s: float = 300,
    ) -> None:
        super().__init__(urls)
        self.before_action, self.after_action, self.give_up_s = before_action, after_action, give_up_s
        self.actions, self.retries = 0, 0
        self.retry_reasons: Counter[str] = Counter()  # why requests were sent again, for the report
        self.last_action_at = time.monotonic()

    def call(
        self, method: str, service: str, path: str, token: str, json: Any = None, expect: tuple[int, ...] = (200, 201)
    ) -> Any:
        """Send until answered (same key on every try); a POST is an action, announced to the hooks around it."""
        headers = {"Authorization": f"Bearer {token}"}
        if method == "POST":
            headers["Idempotency-Key"] = new_id()
            self.actions += 1
            if self.before_action:
                self.before_action(self.actions, service)
        response = self._send(method, service, path, json, headers)
        if method == "POST":
            self.last_action_at = time.monotonic()
            if self.after_action:
                self.after_action(service, response.headers.get("Idempotent-Replayed") == "true")
        if response.status_code not in expect:
            raise RuntimeError(f"{method} {service}{path} -> {response.status_code}: {response.text}")
        return response.json() if response.content else None

    def status(self, service: str, path: str, token: str) -> int:
        """The HTTP status of a GET, retried while the service is down."""
        return self._send("GET", service, path, None, {"Authorization": f"Bearer {token}"}).status_code

    def _send(self, method: str, service: str, path: str, json: Any, headers: dict[str, str]) -> httpx.Response:
        url, deadline = self.urls[service] + path, time.monotonic() + self.give_up_s
        while True:
            try:
                response = self.http.request(method, url, json=json, headers=headers)
                if response.status_code not in RETRYABLE:
                    return response
                failure = f"{response.status_code}: {response.text[:200]}"
                reason = f"{service} {response.status_code}"
            except httpx.TransportError as error:  # killed, restarting or paused past the timeout
                failure, reason = repr(error), f"{service} {type(error).__name__}"
            self.retries += 1
            self.retry_reasons[reason] += 1
            if time.monotonic() > deadline:
                raise RuntimeError(f"{method} {url} unanswered for {self.give_up_s:.0f}s: {failure}")
            time.sleep(0.2)
