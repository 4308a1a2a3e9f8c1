"""How a process finds its Redis user, password and TLS files, and where development keeps the passwords."""

import stat
from pathlib import Path

import pytest
from pydantic import ValidationError
from redis.connection import parse_url

from grants_shared import redis_acl
from grants_shared.db import make_engine, session_factory
from grants_shared.http.app import create_service_app
from grants_shared.settings import PlatformSettings
from grants_shared.worker import WorkerSpec, create_worker


@pytest.fixture(autouse=True)
def clean(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("REDIS_URL", "GRANTS_ENV", "GRANTS_REDIS_USERNAME", "GRANTS_REDIS_PASSWORD", "GRANTS_REDIS_CA_CERTS"):
        monkeypatch.delenv(name, raising=False)


def test_the_users_name_and_password_go_into_the_url_every_client_is_built_from(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://old:secret@redis.internal:6390/2")
    monkeypatch.setenv("GRANTS_REDIS_USERNAME", "payments")
    monkeypatch.setenv("GRANTS_REDIS_PASSWORD", "p@ss/w:rd #1")
    url = PlatformSettings().redis_url
    parsed = parse_url(url)
    assert (parsed["username"], parsed["password"], parsed["host"], parsed["port"], parsed["db"]) == (
        "payments",
        "p@ss/w:rd #1",
        "redis.internal",
        6390,
        2,
    )


def test_a_url_without_settings_is_kept_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", "unix:///run/redis.sock?db=3")
    assert PlatformSettings().redis_url == "unix:///run/redis.sock?db=3"


def test_tls_files_need_a_rediss_url_and_reach_the_client(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GRANTS_REDIS_CA_CERTS", str(tmp_path / "ca.pem"))
    monkeypatch.setenv("REDIS_URL", "redis://redis:6379/0")
    with pytest.raises(ValidationError, match="rediss://"):
        PlatformSettings()
    monkeypatch.setenv("REDIS_URL", "rediss://redis:6379/0")
    parsed = parse_url(PlatformSettings().redis_url)
    assert parsed["ssl_ca_certs"] == str(tmp_path / "ca.pem") and parsed["ssl_cert_reqs"] == "required"
    assert parsed["connection_class"].__name__ == "SSLConnection"


def test_production_refuses_a_redis_without_a_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRANTS_ENV", "production")
    monkeypatch.setenv("GRANTS_OIDC_ISSUER", "https://id.example.org")
    with pytest.raises(ValueError, match="GRANTS_REDIS_PASSWORD"):
        PlatformSettings().require_redis_password()
    monkeypatch.setenv("GRANTS_REDIS_USERNAME", "payments")
    monkeypatch.setenv("GRANTS_REDIS_PASSWORD", "from-the-environment")
    PlatformSettings().require_redis_password()
    monkeypatch.setenv("GRANTS_ENV", "development")
    monkeypatch.delenv("GRANTS_REDIS_PASSWORD")
    PlatformSettings().require_redis_password()  # development may use a Redis without users


def test_development_passwords_are_made_once_readable_by_the_owner_only(tmp_path: Path) -> None:
    first = redis_acl.dev_passwords(tmp_path)
    assert set(first) == set(redis_acl.USERS) and len(set(first.values())) == len(redis_acl.USERS)
    assert all(len(password) >= 32 for password in first.values())
    path = redis_acl.dev_passwords_file(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert redis_acl.dev_passwords(tmp_path) == first


def test_an_api_or_worker_in_production_will_not_start_without_a_redis_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GRANTS_ENV", "production")
    monkeypatch.setenv("GRANTS_OIDC_ISSUER", "https://id.example.org")
    settings = PlatformSettings()
    engine = make_engine("sqlite://")
    with pytest.raises(ValueError, match="GRANTS_REDIS_PASSWORD"):
        create_service_app(service="payments", settings=settings, engine=engine, routers=[], description="")
    with pytest.raises(ValueError, match="GRANTS_REDIS_PASSWORD"):
        create_worker(WorkerSpec(service="payments", sessions=session_factory(engine), settings=settings))
    engine.dispose()
