"""The documented example receiver (docs/examples) on loopback, in a thread, for the webhook tests."""

import importlib.util
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

EXAMPLES = Path(__file__).resolve().parents[5] / "docs" / "examples"


def example(name: str) -> ModuleType:
    """A module of docs/examples, loaded from its file as an integrator would run it."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


verify_helper = example("webhook_verify")
receiver = example("receiver")


@contextmanager
def receiving(secrets: list[str]) -> Iterator[tuple[Any, str]]:
    """The example receiver on 127.0.0.1 (a free port), verifying with `secrets` (a list the test may change)."""
    inbox = receiver.Inbox()
    server = ThreadingHTTPServer(("127.0.0.1", 0), receiver.handler_class(lambda: list(secrets), inbox))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield inbox, f"http://127.0.0.1:{server.server_address[1]}/hooks"
    finally:
        server.shutdown()
        server.server_close()
