"""Carries out a fault plan on a running `System`, just before the numbered workload actions."""

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis

from grants_cli.soak.faults import (
    API_AFTER_COMMIT,
    BANK_OUTAGE,
    DUPLICATE,
    KILL,
    PAUSE,
    REDIS_RESTART,
    REORDER,
    Fault,
)
from grants_cli.system import System
from grants_shared.crash import ENV_POINT
from grants_shared.deadletter import PREFIX as DEAD_LETTERS


@dataclass
class CrashOutcome:
    """An API armed to die after its commit: did it die, and did the client's retry get the stored answer?"""

    process: str
    at_action: int
    fired: bool = False
    replayed: bool = False


@dataclass
class Injector:
    """Fires each fault before its action; resumes paused processes and ends outages on timers."""

    system: System
    faults: list[Fault]
    log: Callable[[str], None] = print
    crashes: list[CrashOutcome] = field(default_factory=list)
    fired: int = 0
    _timers: list[threading.Timer] = field(default_factory=list)
    _armed: dict[str, CrashOutcome] = field(default_factory=dict)

    def before_action(self, index: int, service: str) -> None:
        """Fire the faults planned before action `index` (which goes to `service`)."""
        for fault in self.faults:
            if fault.at_action == index:
                self.log(
                    f"  fault: {fault.describe()}" + (f" ({service}-api)" if fault.kind == API_AFTER_COMMIT else "")
                )
                self.fire(fault, service)
                self.fired += 1

    def after_action(self, service: str, replayed: bool) -> None:
        """After an action is answered: settle an armed crash of its API (fired, and answered from the store?)."""
        outcome = self._armed.pop(f"{service}-api", None)
        if outcome is None:
            return
        outcome.fired, outcome.replayed = self._marker(outcome.process).exists(), replayed
        self.system.processes[outcome.process].env.pop(ENV_POINT, None)  # later restarts run unarmed

    def fire(self, fault: Fault, service: str) -> None:
        """Do one fault now."""
        if fault.kind == KILL:
            self.system.kill(fault.target)
        elif fault.kind == PAUSE:
            self.system.pause(fault.target)
            self._later(fault.seconds, lambda: self.system.resume(fault.target))
        elif fault.kind == REDIS_RESTART:
            self.system.restart_redis()
        elif fault.kind == BANK_OUTAGE:
            self.system.hold_down(fault.target)
            self._later(fault.seconds, lambda: self.system.bring_up(fault.target))
        elif fault.kind in (DUPLICATE, REORDER):
            readd_entries(
                redis.Redis.from_url(self.system.redis_url or ""),
                fault.pick,
                fault.entries,
                newest_first=fault.kind == REORDER,
            )
        elif fault.kind == API_AFTER_COMMIT:
            self._arm(f"{service}-api", fault.at_action)

    def _arm(self, process: str, at_action: int) -> None:
        self._marker(process).unlink(missing_ok=True)
        self.system.restart(process, {ENV_POINT: f"{process}.after_commit"})
        outcome = CrashOutcome(process, at_action)
        self.crashes.append(outcome)
        self._armed[process] = outcome

    def _marker(self, process: str) -> Path:
        return self.system.var_dir / "crash" / f"crash-{process}.after_commit.fired"

    def _later(self, seconds: float, action: Callable[[], None]) -> None:
        timer = threading.Timer(seconds, action)
        timer.daemon = True
        timer.start()
        self._timers.append(timer)

    def finish(self) -> None:
        """Wait for every timed fault to end (paused processes resumed, the bank back)."""
        for timer in self._timers:
            timer.join()


def platform_streams(client: Any) -> list[str]:
    """The platform's event streams (not dead letters), sorted."""
    names = (key.decode() for key in client.scan_iter("grants.*", _type="stream"))
    return sorted(name for name in names if not name.startswith(DEAD_LETTERS))


def readd_entries(client: Any, pick: int, count: int, newest_first: bool) -> tuple[str, int]:
    """Add the last `count` entries of one stream to it again: duplicated deliveries, in order or reversed."""
    streams = platform_streams(client)
    if not streams:
        return "", 0
    stream = streams[pick % len(streams)]
    entries = client.xrevrange(stream, count=count)
    for _, fields in entries if newest_first else reversed(entries):
        client.xadd(stream, fields)
    return stream, len(entries)
