"""Allocation reads the applications registry with credentials of its own, never a user's token it minted itself.

In production the worker gets its token from the identity provider by OAuth2 client credentials; the role the
provider gives it, registry_reader, reads the registry and nothing else. In development it mints a short token
naming only that role.
"""

from collections.abc import Iterator

import httpx
import jwt
import pytest

from allocation import bootstrap, worker
from allocation.config import Settings
from allocation.consumers.loops import registry_credentials, source_from_settings
from allocation_tests.procs import api_process, run_step, running
from grants_shared.auth import Role, decode_token
from grants_shared.settings import PlatformSettings
from tests.support.oidc import OidcProvider

WARDS = 30
CLIENT, SECRET = "allocation-worker", "a-client-secret-for-the-test-0123456789"


@pytest.fixture(scope="module")
def provider() -> Iterator[OidcProvider]:
    """The identity provider, knowing allocation's client and the role it holds."""
    with OidcProvider() as running_provider:
        running_provider.clients[CLIENT] = (SECRET, ["registry_reader"])
        yield running_provider


@pytest.fixture(scope="module")
def applications_api(tmp_path_factory: pytest.TempPathFactory, provider: OidcProvider) -> Iterator[str]:
    """The applications API as a real production process trusting the provider, with a registry in force."""
    tmp = tmp_path_factory.mktemp("applications")
    env = {
        "APPLICATIONS_DATABASE_URL": f"sqlite:///{tmp / 'applications.db'}",
        "GRANTS_VAR_DIR": str(tmp),
        **provider.env(),
    }
    run_step(env, "-m", "applications.registry_load", "--synthetic", "--wards", str(WARDS))
    process, url = api_process("applications", env, tmp)
    with running(process, f"{url}/healthz"):
        yield url


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch, provider: OidcProvider, applications_api: str) -> Settings:
    """The allocation worker's settings in production, with its own client."""
    for name, value in {
        **provider.env(),
        "APPLICATIONS_URL": applications_api,
        "ALLOCATION_OIDC_CLIENT_ID": CLIENT,
        "ALLOCATION_OIDC_CLIENT_SECRET": SECRET,
    }.items():
        monkeypatch.setenv(name, value)
    return Settings()


def test_in_production_the_worker_reads_the_registry_with_its_client_credentials(
    production: Settings, provider: OidcProvider, applications_api: str
) -> None:
    credentials = registry_credentials(production)
    vintages = httpx.get(f"{applications_api}/registry/vintages", headers=provider.bearer("ops", "operator")).json()
    in_force = next(v["inputs_hash"] for v in vintages["items"] if v["in_force"])
    with source_from_settings(production, credentials) as source:
        assert source.in_force_hash() == in_force
        assert len(source.wards()) == WARDS
    principal = decode_token(production, credentials.token())
    assert principal.subject == f"service-account-{CLIENT}" and principal.roles == {Role.REGISTRY_READER}
    assert credentials.token() == credentials.token()  # kept until shortly before it expires


@pytest.mark.parametrize("path", ["/organisations/org-1", "/applications/app-1", "/partnerships/p-1", "/audit"])
def test_the_workers_token_reads_nothing_but_the_registry(
    production: Settings, applications_api: str, path: str
) -> None:
    token = registry_credentials(production).token()
    answer = httpx.get(f"{applications_api}{path}", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 403 and answer.json()["code"] == "forbidden"


def test_a_wrong_client_secret_gets_no_token(production: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOCATION_OIDC_CLIENT_SECRET", "not-the-secret")
    with pytest.raises(httpx.HTTPStatusError):
        registry_credentials(Settings()).token()


def test_in_production_the_worker_will_not_start_without_its_own_client(
    production: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ALLOCATION_OIDC_CLIENT_ID")
    with pytest.raises(ValueError, match="its own OAuth2 client"):
        registry_credentials(Settings())


def test_in_development_the_worker_mints_a_registry_reader_token_not_a_users() -> None:
    settings = Settings()
    token = registry_credentials(settings).token()
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["sub"] == "service:allocation" and claims["roles"] == ["registry_reader"]
    assert claims["exp"] - claims["iat"] <= 600
    assert decode_token(PlatformSettings(), token).roles == {Role.REGISTRY_READER}


def test_the_worker_will_not_start_in_production_without_its_own_client(
    production: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ALLOCATION_OIDC_CLIENT_SECRET")
    bootstrap.reset()
    try:
        with pytest.raises(ValueError, match="its own OAuth2 client"):
            worker.create_app()
    finally:
        bootstrap.reset()
