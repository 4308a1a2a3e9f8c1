"""A runnable webhook receiver: verifies every signature and handles each webhook-id once (stdlib only).

    WEBHOOK_SECRET=whsec_... python docs/examples/receiver.py --port 8099

Answers 2xx quickly (the platform retries anything else, for a day), 401 for a bad signature. Deliveries are
at least once: a webhook-id seen before is acknowledged again and not handled twice. Keep `seen` in your database
in production (here it is memory), and do the real work after answering.
"""

import argparse
import json
import os
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from webhook_verify import Invalid, verify

Handle = Callable[[str, dict[str, Any]], None]


class Inbox:
    """Each webhook-id handled once; what was handled, in order."""

    def __init__(self, handle: Handle | None = None) -> None:
        self.lock = threading.Lock()
        self.seen: set[str] = set()
        self.handled: list[tuple[str, dict[str, Any]]] = []
        self.repeats = 0
        self.refused = 0
        self.handle = handle

    def accept(self, message_id: str, event: dict[str, Any]) -> bool:
        """Record and handle the event unless its webhook-id was handled already; False for a repeat."""
        with self.lock:
            if message_id in self.seen:
                self.repeats += 1
                return False
            self.seen.add(message_id)
            self.handled.append((message_id, event))
        if self.handle:
            self.handle(message_id, event)
        return True


def handler_class(secrets: Callable[[], list[str]], inbox: Inbox) -> type[BaseHTTPRequestHandler]:
    """A request handler verifying against any of `secrets()` (more than one while you rotate)."""

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            event = _verified(secrets(), dict(self.headers.items()), body)
            if event is None:
                with inbox.lock:
                    inbox.refused += 1
                self._answer(401, {"error": "invalid signature"})
                return
            inbox.accept(self.headers["webhook-id"], event)
            self._answer(200, {"ok": True})

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, *_: Any) -> None:
            pass

    return Receiver


def _verified(secrets: list[str], headers: dict[str, str], body: bytes) -> dict[str, Any] | None:
    for secret in secrets:
        try:
            event: dict[str, Any] = verify(secret, headers, body)
            return event
        except Invalid:
            continue
    return None


def main() -> None:
    """Serve on the given port until interrupted, printing each event handled."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8099)
    args = parser.parse_args()
    secrets = [s for s in os.environ["WEBHOOK_SECRET"].split(",") if s]
    inbox = Inbox(lambda mid, event: print(mid, event["type"], event["subject"], flush=True))
    server = ThreadingHTTPServer((args.host, args.port), handler_class(lambda: secrets, inbox))
    print(f"listening on http://{args.host}:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
