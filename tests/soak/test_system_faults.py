"""What the soak does to processes: pause and resume, hold down and bring up, restart with an armed crash point."""

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from grants_cli.ports import free_port
from grants_cli.system import Process, System
from grants_cli.walk import wait_for


def state(process: Process) -> str:
    """The kernel's run state of the process: R/S running or sleeping, T stopped."""
    assert process.popen is not None
    return Path(f"/proc/{process.popen.pid}/stat").read_text().split(") ", 1)[1][0]


@pytest.fixture
def system(tmp_path: Path) -> Iterator[System]:
    system = System(var_dir=tmp_path)
    sleeper = [
        sys.executable,
        "-c",
        "import os, time; print(os.environ['GRANTS_PROCESS_NAME'], "
        "os.environ.get('MARK', '-'), flush=True); time.sleep(600)",
    ]
    system.processes["sleeper"] = Process("sleeper", sleeper, system._env_for("sleeper"), tmp_path / "sleeper.log")
    system.processes["sleeper"].start()
    yield system
    system.stop()


def test_a_paused_process_is_stopped_until_resumed(system: System) -> None:
    sleeper = system.processes["sleeper"]
    system.pause("sleeper")
    wait_for("the process to stop", lambda: state(sleeper) == "T", 10, 0.02)
    system.resume("sleeper")
    wait_for("the process to run again", lambda: state(sleeper) != "T", 10, 0.02)


def test_a_process_held_down_stays_down_until_brought_up(system: System) -> None:
    system.hold_down("sleeper")
    assert system.supervise_once() == [] and not system.processes["sleeper"].alive()
    system.bring_up("sleeper")
    assert system.processes["sleeper"].alive() and system.processes["sleeper"].restarts == 1


def test_a_restart_adds_to_the_environment_and_names_the_process(system: System) -> None:
    log = system.processes["sleeper"].log
    wait_for("the process to print", lambda: log.exists() and "sleeper" in log.read_text(), 30, 0.05)
    system.restart("sleeper", {"MARK": "armed"})
    wait_for("the restarted process to print", lambda: "sleeper armed" in log.read_text(), 30, 0.05)
    assert log.read_text().splitlines()[0] == "sleeper -"


def test_the_embedded_redis_restarts_with_its_data(tmp_path: Path) -> None:
    system = System(var_dir=tmp_path, redis_port=free_port())
    system.start_redis()
    try:
        client = redis.Redis.from_url(system.redis_url or "")
        client.xadd("grants.test.v1", {"a": "1"})
        system.restart_redis()
        assert client.xlen("grants.test.v1") == 1
    finally:
        system.stop()
