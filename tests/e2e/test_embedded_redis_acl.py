"""`grants run`'s embedded Redis has ACL users: every service works as its own user, a stranger is refused."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from redis.exceptions import AuthenticationError

from grants_cli.ports import free_ports
from grants_cli.system import DEFAULT_PORTS, SERVICES, System
from grants_cli.walk import run_walk
from grants_shared import redis_acl
from tests.e2e.checks import check_events, check_money
from tests.e2e.conftest import FAST, RunningSystem, reference_data

pytestmark = pytest.mark.e2e


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[RunningSystem]:
    """The platform as `grants run` starts it with no REDIS_URL: its own Redis, ACL users, passwords in var/."""
    system = System(
        var_dir=tmp_path / "var",
        ports=dict(zip(DEFAULT_PORTS, free_ports(len(DEFAULT_PORTS)), strict=True)),
        redis_port=free_ports(1)[0],
        extra_env=dict(FAST),
    )
    try:
        system.start(reference_data=reference_data(), timeout_s=180)
    except Exception:
        system.stop()
        raise
    running = RunningSystem(system)
    yield running
    running.stop()


def test_every_service_works_as_its_own_redis_user_and_a_stranger_is_refused(embedded: Any) -> None:
    system = embedded.system
    passwords = redis_acl.dev_passwords(system.var_dir)
    for svc in SERVICES:
        for kind in ("api", "worker"):
            env = system.processes[f"{svc}-{kind}"].env
            assert (env["GRANTS_REDIS_USERNAME"], env["GRANTS_REDIS_PASSWORD"]) == (svc, passwords[svc])
    assert "@" not in system.processes["sandbox-bank"].env["REDIS_URL"]

    walk = run_walk(embedded.client, log=lambda _: None)
    check_events(embedded, walk)
    check_money(embedded, walk)

    stranger = redis.Redis(port=system.redis.port, socket_timeout=5)
    with pytest.raises(AuthenticationError):
        stranger.xadd("grants.reporting.report-accepted.v1", {"data": "{}"})
    for svc in SERVICES:
        groups = {g["name"].decode() for g in embedded.redis.xinfo_groups(redis_acl.consumed_streams(svc)[0])}
        assert svc in groups, f"{svc}'s worker made its group as its own user"
    logs = "".join((system.var_dir / "logs" / f"{p}.log").read_text() for p in system.processes)
    assert "NOPERM" not in logs and "WRONGPASS" not in logs and "NOAUTH" not in logs
