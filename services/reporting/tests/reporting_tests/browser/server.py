"""The reporting API served by uvicorn on a loopback port, in a thread of the test process."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from reporting.api import create_app


@contextmanager
def serving() -> Iterator[str]:
    """Serve `create_app()` on 127.0.0.1 (a free port) until the block ends; yields the base URL."""
    config = uvicorn.Config(create_app, factory=True, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    started = threading.Event()
    while not started.wait(0.05):  # a condition, not a sleep: uvicorn says when it has bound its socket
        if server.started:
            started.set()
        elif not thread.is_alive():
            raise RuntimeError("uvicorn stopped before it started")
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
