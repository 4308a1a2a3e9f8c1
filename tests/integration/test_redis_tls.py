"""Redis over TLS: a `rediss://` REDIS_URL and GRANTS_REDIS_CA_CERTS (and a client certificate when Redis asks for
one) are all a process needs; a client that does not trust the server's CA, or speaks plain TCP, gets nowhere."""

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from grants_cli.ports import free_port
from grants_cli.redis_server import system_redis_7
from grants_shared import redis_acl
from grants_shared.delivery.redis_client import sync_client
from grants_shared.settings import PlatformSettings
from tests.support.infra import wait_until_answers

REDIS_7 = system_redis_7()
pytestmark = pytest.mark.skipif(REDIS_7 is None, reason="no redis-server 7 with TLS")
PASSWORDS = {user: f"{user}-tls-test-password" for user in redis_acl.USERS}


def openssl(command: str, cwd: Path) -> None:
    subprocess.run(["openssl", *command.split()], cwd=cwd, check=True, capture_output=True)


def certificates(folder: Path) -> None:
    """A CA, a server certificate for 127.0.0.1 and a client certificate, all signed by the CA."""
    openssl("req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 1 -subj /CN=grants-test-ca", folder)
    (folder / "server.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    for name in ("server", "client"):
        openssl(f"req -newkey rsa:2048 -nodes -keyout {name}.key -out {name}.csr -subj /CN={name}", folder)
        extra = " -extfile server.ext" if name == "server" else ""
        signed = f"x509 -req -in {name}.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out {name}.pem -days 1"
        openssl(signed + extra, folder)


@pytest.fixture
def tls_redis(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """redis-server 7 on a TLS port only, asking for client certificates, with the platform's ACL users."""
    certificates(tmp_path)
    lines = redis_acl.acl_lines(lambda user: redis_acl.hashed(PASSWORDS[user]))
    (tmp_path / "users.acl").write_text("\n".join(lines) + "\n")
    port = free_port()
    args = ["--port", "0", "--tls-port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp_path)]
    args += ["--tls-cert-file", "server.pem", "--tls-key-file", "server.key", "--tls-ca-cert-file", "ca.pem"]
    args += ["--tls-auth-clients", "yes", "--aclfile", str(tmp_path / "users.acl")]
    process = subprocess.Popen([str(REDIS_7), *args], cwd=tmp_path, stdout=subprocess.DEVNULL)
    try:
        yield port, tmp_path
    finally:
        process.terminate()
        process.wait(timeout=10)


def settings_for(monkeypatch: pytest.MonkeyPatch, url: str, folder: Path) -> PlatformSettings:
    monkeypatch.setenv("REDIS_URL", url)
    monkeypatch.setenv("GRANTS_REDIS_USERNAME", "payments")
    monkeypatch.setenv("GRANTS_REDIS_PASSWORD", PASSWORDS["payments"])
    monkeypatch.setenv("GRANTS_REDIS_CA_CERTS", str(folder / "ca.pem"))
    monkeypatch.setenv("GRANTS_REDIS_CERTFILE", str(folder / "client.pem"))
    monkeypatch.setenv("GRANTS_REDIS_KEYFILE", str(folder / "client.key"))
    return PlatformSettings()


def test_a_service_publishes_over_tls_with_its_own_user(
    tls_redis: tuple[int, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    port, folder = tls_redis
    settings = settings_for(monkeypatch, f"rediss://127.0.0.1:{port}/0", folder)
    client = sync_client(settings.redis_url)
    wait_until_answers(client)
    assert client.xadd("grants.payments.tranche-released.v1", {"data": "{}"})
    with pytest.raises(redis.exceptions.NoPermissionError):
        client.xadd("grants.reporting.report-accepted.v1", {"data": "{}"})


def test_a_client_that_does_not_trust_the_ca_or_speaks_plain_tcp_is_refused(
    tls_redis: tuple[int, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    port, folder = tls_redis
    wait_until_answers(sync_client(settings_for(monkeypatch, f"rediss://127.0.0.1:{port}/0", folder).redis_url))
    (folder / "other").mkdir()
    certificates(folder / "other")
    monkeypatch.setenv("GRANTS_REDIS_CA_CERTS", str(folder / "other" / "ca.pem"))
    distrusting = redis.Redis.from_url(PlatformSettings().redis_url, socket_timeout=2)
    with pytest.raises(redis.ConnectionError):
        distrusting.ping()
    plain = redis.Redis.from_url(f"redis://payments:{PASSWORDS['payments']}@127.0.0.1:{port}/0", socket_timeout=2)
    with pytest.raises(redis.ConnectionError):
        plain.ping()
