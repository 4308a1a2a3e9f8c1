"""Ports for started servers are distinct and free, and a health check tells one service from another on a port."""

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from grants_cli import ports
from grants_cli.ports import ephemeral_start, free_ports
from grants_cli.system import Process, System, answers_as


def test_free_ports_are_distinct_bindable_and_below_the_ephemeral_range() -> None:
    chosen = free_ports(200)
    assert len(set(chosen)) == 200
    assert all(ports.LOWEST <= port < ephemeral_start() for port in chosen)
    for port in chosen[:20]:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))


def test_a_port_in_use_is_never_chosen(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        monkeypatch.setattr(ports, "LOWEST", taken)
        monkeypatch.setattr(ports, "ephemeral_start", lambda: taken + ports.MIN_POOL)
        assert taken not in free_ports(50)


def test_a_narrow_pool_falls_back_to_the_kernels_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ports, "ephemeral_start", lambda: ports.LOWEST + 10)
    chosen = free_ports(3)
    assert len(set(chosen)) == 3


@pytest.fixture
def sandbox_bank_lookalike() -> Iterator[str]:
    """A real HTTP server on a loopback port whose /healthz names the sandbox bank."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            body = json.dumps({"status": "ok", "service": "sandbox-bank"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/healthz"
    server.shutdown()
    server.server_close()


def test_a_health_answer_counts_only_from_the_named_service(sandbox_bank_lookalike: str) -> None:
    assert answers_as(sandbox_bank_lookalike, "sandbox-bank")
    assert answers_as(sandbox_bank_lookalike, None)
    assert not answers_as(sandbox_bank_lookalike, "allocation")


def test_waiting_for_a_service_that_another_answers_for_fails_with_its_log(
    sandbox_bank_lookalike: str, tmp_path: Path
) -> None:
    log = tmp_path / "allocation-api.log"
    log.write_text("ERROR: [Errno 98] address already in use\n")
    system = System(var_dir=tmp_path)
    system.processes["allocation-api"] = Process("allocation-api", [], {}, log, sandbox_bank_lookalike, "allocation")
    with pytest.raises(RuntimeError, match="allocation-api did not become healthy(.|\n)*address already in use"):
        system.wait_healthy(timeout_s=0.5)
