"""The whole platform as real processes: Redis, migrations, registry, four APIs, four workers, the bank."""

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from grants_cli.redis_server import EmbeddedRedis, best_executable
from grants_shared import redis_acl
from grants_shared.event_keys import dev_keys

SERVICES = ("applications", "allocation", "payments", "reporting")
DEFAULT_PORTS = {"applications": 8001, "allocation": 8002, "payments": 8003, "reporting": 8004, "sandbox-bank": 8005}
BANK_KEYS = ("SANDBOX_BANK_API_KEY", "SANDBOX_BANK_CONTROL_KEY")  # the bank's client key (payments sends it), controls


@dataclass
class Process:
    """One supervised child process, its command, its log file, its health URL and the service that must answer it."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    health_url: str | None = None
    service: str | None = None
    health_headers: dict[str, str] = field(default_factory=dict)
    popen: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    held: bool = False  # held down on purpose (a fault): the supervisor leaves it stopped

    def start(self) -> None:
        """Spawn the process, appending its output to its log file."""
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(
                self.argv, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def alive(self) -> bool:
        """True while the process runs."""
        return self.popen is not None and self.popen.poll() is None

    def signal(self, sig: int) -> None:
        """Send a signal to the process."""
        if self.alive() and self.popen:
            self.popen.send_signal(sig)

    def stop(self, timeout_s: float = 10) -> None:
        """SIGTERM, then SIGKILL if it does not stop in time."""
        if not self.popen or not self.alive():
            return
        self.popen.send_signal(signal.SIGCONT)  # a paused process cannot act on SIGTERM
        self.popen.terminate()
        try:
            self.popen.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()


@dataclass
class System:
    """Starts and supervises the platform; a crashed process is restarted, so no work is left behind."""

    var_dir: Path
    redis_url: str | None = None
    ports: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PORTS))
    extra_env: dict[str, str] = field(default_factory=dict)
    per_process_env: dict[str, dict[str, str]] = field(default_factory=dict)
    processes: dict[str, Process] = field(default_factory=dict)
    redis: EmbeddedRedis | None = None
    redis_port: int | None = None  # of the embedded Redis; default GRANTS_EMBEDDED_REDIS_PORT, else 6380
    redis_users: dict[str, str] = field(default_factory=dict)  # the embedded Redis's ACL users and passwords
    bank_keys: dict[str, str] = field(
        default_factory=lambda: {name: os.environ.get(name) or secrets.token_urlsafe(32) for name in BANK_KEYS}
    )  # from the environment when set there, else new for this run

    def url(self, name: str) -> str:
        """Base URL of an HTTP service by name (a service or 'sandbox-bank')."""
        return f"http://127.0.0.1:{self.ports[name]}"

    def bank_headers(self, control: bool = False) -> dict[str, str]:
        """The bearer header the sandbox bank takes: its client key, or with `control` its control key."""
        return {"Authorization": f"Bearer {self.bank_keys[BANK_KEYS[1] if control else BANK_KEYS[0]]}"}

    def base_env(self) -> dict[str, str]:
        """The environment every child gets."""
        env = dict(os.environ)
        env.update(
            {
                "GRANTS_VAR_DIR": str(self.var_dir.resolve()),
                "REDIS_URL": self.redis.plain_url if self.redis else self.redis_url or "",
                "SANDBOX_BANK_URL": self.url("sandbox-bank"),
                "APPLICATIONS_URL": self.url("applications"),
                "PYTHONUNBUFFERED": "1",
                "GRANTS_CRASH_MARKER_DIR": str((self.var_dir / "crash").resolve()),
            }
        )
        env.setdefault("SANDBOX_BANK_DATABASE_URL", f"sqlite:///{(self.var_dir / 'sandbox_bank.db').resolve()}")
        env[BANK_KEYS[0]] = self.bank_keys[BANK_KEYS[0]]  # what payments sends; the control key is the bank's alone
        env.update(self.extra_env)
        if not env.get("GRANTS_EVENT_KEYS"):  # development: every process signs and verifies with var/'s keys
            env["GRANTS_EVENT_KEYS"] = json.dumps(dev_keys(self.var_dir))
        return env

    def start_redis(self) -> None:
        """Use REDIS_URL when given; otherwise start the embedded Redis (AOF on) under var/redis with ACL users.

        Each service's API and worker then connect as the service's own user, with the password made once into
        var/secrets/; `redis_url` is the admin's (for the operator's commands and the tests).
        """
        if not self.redis_url:
            port = self.redis_port or int(os.environ.get("GRANTS_EMBEDDED_REDIS_PORT", "6380"))
            self.redis_users = redis_acl.dev_passwords(self.var_dir)
            self.redis = EmbeddedRedis(
                self.var_dir / "redis", port=port, users=self.redis_users, executable=best_executable()
            ).start()
            self.redis_url = self.redis.url

    def run_step(self, *args: str) -> None:
        """Run a one-off command (migration, data load) with the platform's environment; fail loudly."""
        result = subprocess.run([sys.executable, *args], env=self.base_env(), capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        if result.stdout.strip():
            print(result.stdout.strip())

    def prepare(self, reference_data: Path | None) -> None:
        """Migrate every database and load the neighbourhood registry (official files, else synthetic)."""
        self.run_step("-m", "grants_shared.migrate", *SERVICES)
        source = ["--dir", str(reference_data)] if reference_data else ["--synthetic"]
        self.run_step("-m", "applications.registry_load", *source)

    def define(self) -> None:
        """Describe the processes: the bank, then per service its API and its worker."""
        logs = self.var_dir / "logs"
        bank_env = {
            **self._env_for("sandbox-bank"),
            **self.bank_keys,
            "SANDBOX_BANK_PORT": str(self.ports["sandbox-bank"]),
        }
        self._add(
            Process(
                "sandbox-bank",
                [sys.executable, "-m", "sandbox_bank"],
                bank_env,
                logs / "sandbox-bank.log",
                f"{self.url('sandbox-bank')}/healthz",
                "sandbox-bank",
                health_headers=self.bank_headers(),
            )
        )
        for svc in SERVICES:
            api = [
                sys.executable,
                "-m",
                "uvicorn",
                f"{svc}.api:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.ports[svc]),
                "--log-level",
                "warning",
            ]
            self._add(
                Process(
                    f"{svc}-api",
                    api,
                    self._env_for(f"{svc}-api"),
                    logs / f"{svc}-api.log",
                    f"{self.url(svc)}/healthz",
                    svc,
                )
            )
            self._add(
                Process(
                    f"{svc}-worker",
                    [sys.executable, "-m", f"{svc}.worker"],
                    self._env_for(f"{svc}-worker"),
                    logs / f"{svc}-worker.log",
                )
            )

    def _env_for(self, name: str) -> dict[str, str]:
        env = {**self.base_env(), "GRANTS_PROCESS_NAME": name}
        service = name.rsplit("-", 1)[0]
        if service in self.redis_users:
            env.update({"GRANTS_REDIS_USERNAME": service, "GRANTS_REDIS_PASSWORD": self.redis_users[service]})
        return {**env, **self.per_process_env.get(name, {})}

    def _add(self, process: Process) -> None:
        self.processes[process.name] = process

    def start(self, reference_data: Path | None = None, timeout_s: float = 60) -> "System":
        """Start everything and wait until every API answers /healthz."""
        self.var_dir.mkdir(parents=True, exist_ok=True)
        self.start_redis()
        self.prepare(reference_data)
        self.define()
        for process in self.processes.values():
            process.start()
        self.wait_healthy(timeout_s)
        return self

    def wait_healthy(self, timeout_s: float, names: list[str] | None = None) -> None:
        """Block until every health URL (of `names`, default all) answers 200 from its own service, else raise."""
        deadline = time.monotonic() + timeout_s
        for process in (self.processes[n] for n in names) if names else self.processes.values():
            while process.health_url and not answers_as(process.health_url, process.service, process.health_headers):
                if time.monotonic() > deadline or not process.alive():
                    raise RuntimeError(f"{process.name} did not become healthy:\n{tail(process.log)}")
                time.sleep(0.1)

    def supervise_once(self) -> list[str]:
        """Restart any process that died; returns the names restarted."""
        restarted = []
        for process in self.processes.values():
            if process.popen is not None and not process.held and not process.alive():
                process.restarts += 1
                process.start()
                restarted.append(process.name)
        return restarted

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Send a signal to one process (tests use SIGKILL)."""
        self.processes[name].signal(sig)

    def pause(self, name: str) -> None:
        """Freeze one process (SIGSTOP): it holds its connections and locks but does nothing."""
        self.kill(name, signal.SIGSTOP)

    def resume(self, name: str) -> None:
        """Let a paused process run again (SIGCONT)."""
        self.kill(name, signal.SIGCONT)

    def hold_down(self, name: str) -> None:
        """Kill one process (SIGKILL) and keep it down until `bring_up`: the supervisor leaves it alone."""
        process = self.processes[name]
        process.held = True
        process.signal(signal.SIGKILL)
        if process.popen:
            process.popen.wait()

    def bring_up(self, name: str) -> None:
        """Start a process held down by `hold_down` again."""
        process = self.processes[name]
        process.held = False
        if not process.alive():
            process.restarts += 1
            process.start()

    def restart(self, name: str, env: dict[str, str] | None = None, timeout_s: float = 60) -> None:
        """Stop one process, start it again (with `env` added to its environment) and wait until it is healthy."""
        process = self.processes[name]
        process.held = True
        process.stop()
        process.env.update(env or {})
        process.restarts += 1
        process.start()
        process.held = False
        self.wait_healthy(timeout_s, [name])

    def restart_redis(self) -> None:
        """Stop the embedded Redis (it writes its AOF) and start it again on the same port with the same data."""
        if self.redis is None:
            raise RuntimeError("only the embedded Redis can be restarted")
        self.redis.stop()
        self.redis.start()

    def stop(self) -> None:
        """Stop every process, then the embedded Redis."""
        for process in reversed(list(self.processes.values())):
            process.stop()
        if self.redis:
            self.redis.stop()


def answers_as(health_url: str, service: str | None, headers: dict[str, str] | None = None) -> bool:
    """True when the URL answers 200 and, if a service is named, from that service (not another on the port)."""
    try:
        response = httpx.get(health_url, timeout=1, headers=headers)
        return response.status_code == 200 and (service is None or response.json().get("service") == service)
    except (httpx.HTTPError, ValueError):
        return False


def tail(path: Path, lines: int = 40) -> str:
    """The last lines of a log file."""
    if not path.exists():
        return "(no log)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
