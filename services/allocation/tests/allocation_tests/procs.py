"""Real processes for tests: an API under uvicorn on a free loopback port, waited on until healthy."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from grants_cli.ports import free_port
from grants_cli.system import Process, tail


def wait_healthy(process: Process, url: str, timeout_s: float = 30) -> None:
    """Block until url answers 200, or fail with the process's log tail."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or not process.alive():
            raise RuntimeError(f"{process.name} did not become healthy:\n{tail(process.log)}")
        time.sleep(0.1)


def api_process(service: str, env: dict[str, str], log_dir: Path) -> tuple[Process, str]:
    """A uvicorn process of a service's API on a free port (not started), and its base URL."""
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        f"{service}.api:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    return Process(
        f"{service}-api", argv, {**os.environ, **env}, log_dir / f"{service}-api.log"
    ), f"http://127.0.0.1:{port}"


@contextmanager
def running(process: Process, health_url: str | None = None) -> Iterator[Process]:
    """Start a process (waiting for its health URL when given) and stop it afterwards."""
    process.start()
    try:
        if health_url:
            wait_healthy(process, health_url)
        yield process
    finally:
        process.stop()


def run_step(env: dict[str, str], *args: str) -> None:
    """Run a one-off python -m command with env; fail with its output."""
    done = subprocess.run([sys.executable, *args], env={**os.environ, **env}, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
