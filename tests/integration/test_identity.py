"""Identity: the OpenID Connect provider's tokens are the production path, development tokens stay in development.

A real provider runs on loopback (tests/support/oidc.py): the services fetch its discovery document and JWKS over
HTTP, cache the keys, refetch them when a token names a new key (rotation), but no more often than the minimum
refetch interval.
"""

import base64
import hmac
import json
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from fastapi import APIRouter, Depends
from fastapi.testclient import TestClient
from pydantic import ValidationError

from grants_shared.auth import Principal, Role, decode_token, mint_token, require
from grants_shared.db import make_engine
from grants_shared.http.app import create_service_app
from grants_shared.http.problems import Problem
from grants_shared.oidc import SigningKeys
from grants_shared.settings import PlatformSettings
from grants_shared.tokens import MintingRefused
from tests.support.infra import production_settings
from tests.support.oidc import OidcProvider


@pytest.fixture
def provider() -> Iterator[OidcProvider]:
    """A running provider."""
    with OidcProvider() as running:
        yield running


def production(provider: OidcProvider, **settings: Any) -> PlatformSettings:
    """Production settings trusting `provider`."""
    return production_settings(oidc_issuer=provider.issuer, **settings)


def refused(settings: PlatformSettings, token: str) -> Problem:
    """The problem a refused token raises (the test fails if it is accepted)."""
    with pytest.raises(Problem) as caught:
        decode_token(settings, token)
    return caught.value


def api(settings: PlatformSettings) -> TestClient:
    """A service app built by the platform's factory with one operator-only route."""
    router = APIRouter()

    @router.get("/secret", dependencies=[Depends(require(Role.OPERATOR))])
    def secret() -> dict[str, str]:
        return {"ok": "yes"}

    app = create_service_app(
        service="identity-test", settings=settings, engine=make_engine("sqlite://"), routers=[router], description="t"
    )
    return TestClient(app)


@pytest.mark.parametrize("alg", ["RS256", "ES256", "EdDSA"])
def test_a_provider_token_is_accepted_with_roles_and_organisation_from_the_configured_claims(
    provider: OidcProvider, alg: str
) -> None:
    kid = provider.rotate(alg)
    settings = production(provider, oidc_roles_claim="realm_access.roles", oidc_organisation_claim="cwf.org")
    token = provider.mint(
        "alice", [], kid=kid, realm_access={"roles": ["applicant", "offline_access"]}, cwf={"org": "org-1"}
    )
    principal = decode_token(settings, token)
    assert principal == Principal(subject="alice", roles=frozenset({Role.APPLICANT}), organisation_id="org-1")


def forged_with_published_kid(provider: OidcProvider) -> str:
    """Signed by a key the provider does not hold, its header naming the provider's key."""
    stray = provider.add_key("RS256", publish=False)
    _, body, signature = provider.mint("mallory", ["operator"], kid=stray).split(".")
    honest_header = provider.mint("mallory", ["operator"]).split(".")[0]
    return ".".join([honest_header, body, signature])


def b64(data: bytes) -> str:
    """Base64url without padding, as in a JWT."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256_with_public_key(provider: OidcProvider) -> str:
    """The algorithm-confusion attack: HS256 keyed with the provider's public key PEM (signed by hand)."""
    public = provider.keys[provider.kid][1].public_key()
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    header = {"alg": "HS256", "typ": "JWT", "kid": provider.kid}
    claims = {"iss": provider.issuer, "aud": "grants-api", "sub": "mallory", "roles": ["operator"], "exp": 2**33}
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    return f"{signing_input}.{b64(hmac.digest(pem, signing_input.encode(), 'sha256'))}"


BAD_TOKENS = {
    "wrong issuer": lambda p: p.mint("a", ["operator"], iss="http://127.0.0.1:1/other"),
    "wrong audience": lambda p: p.mint("a", ["operator"], aud="another-api"),
    "expired": lambda p: p.mint("a", ["operator"], exp=datetime.now(UTC) - timedelta(minutes=1)),
    "empty subject": lambda p: p.mint("", ["operator"]),
    "blank subject": lambda p: p.mint("  ", ["operator"]),
    "unpublished key": lambda p: p.mint("a", ["operator"], kid=p.add_key("ES256", publish=False)),
    "forged signature": forged_with_published_kid,
    "alg none": lambda p: jwt.encode({"iss": p.issuer, "aud": "grants-api", "sub": "a", "exp": 2**33}, None, "none"),
    "HS256 keyed with the public key": hs256_with_public_key,
    "a development token": lambda p: mint_token(PlatformSettings(), subject="dev", roles=[Role.OPERATOR]),
}


@pytest.mark.parametrize("case", BAD_TOKENS)
def test_in_production_a_token_the_provider_did_not_issue_for_us_is_a_401(provider: OidcProvider, case: str) -> None:
    settings = production(provider, oidc_jwks_min_refetch_s=0)
    problem = refused(settings, BAD_TOKENS[case](provider))
    assert (problem.status, problem.code) == (401, "invalid-token")
    assert problem.headers["WWW-Authenticate"].startswith('Bearer realm="grants", error="invalid_token"')


def test_a_rotated_key_is_fetched_when_first_named_and_the_retired_key_is_refused(provider: OidcProvider) -> None:
    settings = production(provider, oidc_jwks_min_refetch_s=0)
    retired = provider.kid
    assert decode_token(settings, provider.mint("before", ["operator"])).subject == "before"
    assert provider.jwks_fetches == 1
    provider.rotate("ES256")
    assert decode_token(settings, provider.mint("after", ["operator"])).subject == "after"
    assert provider.jwks_fetches == 2  # the unknown kid made the service fetch the JWKS again, once
    assert decode_token(settings, provider.mint("again", ["operator"])).subject == "again"
    assert provider.jwks_fetches == 2  # and the new key is now held
    assert refused(settings, provider.mint("late", ["operator"], kid=retired)).status == 401


def test_tokens_naming_unknown_keys_refetch_no_more_often_than_the_minimum_interval(provider: OidcProvider) -> None:
    settings = production(provider, oidc_jwks_min_refetch_s=3600)
    decode_token(settings, provider.mint("first", ["operator"]))
    stray = provider.add_key("RS256", publish=False)
    for i in range(5):
        assert refused(settings, provider.mint(f"x{i}", ["operator"], kid=stray)).status == 401
    assert provider.jwks_fetches == 1


def test_keys_held_are_fetched_again_once_their_lifespan_is_over(provider: OidcProvider) -> None:
    now = [0.0]
    keys = SigningKeys(
        f"{provider.issuer}/certs", lifespan_s=300, min_refetch_s=3600, timeout_s=5, clock=lambda: now[0]
    )
    assert keys.get(provider.kid).key_id == provider.kid
    now[0] = 299.0
    keys.get(provider.kid)
    assert provider.jwks_fetches == 1
    now[0] = 300.0
    keys.get(provider.kid)
    assert provider.jwks_fetches == 2


def test_a_provider_that_cannot_be_reached_is_a_503_never_a_500(provider: OidcProvider) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings = production(provider, oidc_jwks_url=f"http://127.0.0.1:{port}/certs", oidc_http_timeout_s=2)
    answer = api(settings).get("/secret", headers=provider.bearer("ops", "operator"))
    assert answer.status_code == 503 and answer.json()["code"] == "identity-provider-unavailable"
    assert answer.headers["Retry-After"]


def test_a_service_app_in_production_serves_a_provider_token_and_challenges_without_one(provider: OidcProvider) -> None:
    client = api(production(provider))
    assert client.get("/secret", headers=provider.bearer("ops", "operator")).json() == {"ok": "yes"}
    missing = client.get("/secret")
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"] == 'Bearer realm="grants"'
    wrong_role = client.get("/secret", headers=provider.bearer("clerk", "assessor"))
    assert wrong_role.status_code == 403
    assert wrong_role.headers["WWW-Authenticate"] == 'Bearer realm="grants", error="insufficient_scope"'


@pytest.mark.parametrize(
    "headers",
    [{"Authorization": "Bearer not.a.token"}, {"Authorization": "Bearer " + "x" * 40}],
)
def test_a_401_for_a_bad_token_says_invalid_token_in_www_authenticate(headers: dict[str, str]) -> None:
    answer = api(PlatformSettings()).get("/secret", headers=headers)
    assert answer.status_code == 401 and answer.json()["code"] == "invalid-token"
    challenge = answer.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="grants", error="invalid_token", error_description="')


def test_a_401_without_a_token_carries_a_bearer_challenge() -> None:
    answer = api(PlatformSettings()).get("/secret")
    assert answer.status_code == 401 and answer.json()["code"] == "unauthenticated"
    assert answer.headers["WWW-Authenticate"] == 'Bearer realm="grants"'


def test_a_development_token_with_an_empty_subject_is_a_401() -> None:
    settings = PlatformSettings()
    for subject in ("", "   "):
        token = mint_token(settings, subject=subject, roles=[Role.OPERATOR])
        answer = api(settings).get("/secret", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 401 and answer.json()["code"] == "invalid-token"


def test_a_development_token_is_refused_in_production_even_signed_with_the_configured_secret(
    provider: OidcProvider,
) -> None:
    secret = "a-production-secret-a-production-secret-0123"
    token = mint_token(PlatformSettings(jwt_secret=secret), subject="dev", roles=[Role.FINANCE_APPROVER])
    answer = api(production(provider, jwt_secret=secret)).get("/secret", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401


def test_development_tokens_are_not_minted_in_production(provider: OidcProvider) -> None:
    with pytest.raises(MintingRefused):
        mint_token(production(provider), subject="x", roles=[Role.FINANCE_APPROVER])


@pytest.mark.parametrize("secret", ["x", "a" * 31, "é" * 15])
def test_a_short_hs256_secret_is_refused_at_start(secret: str) -> None:
    for env in ("production", "development"):
        with pytest.raises(ValidationError, match="at least 32 bytes"):
            PlatformSettings(env=env, jwt_secret=secret, oidc_issuer="http://127.0.0.1:1/realms/x")


def test_production_without_an_identity_provider_is_refused_at_start() -> None:
    with pytest.raises(ValidationError, match="GRANTS_OIDC_ISSUER"):
        PlatformSettings(env="production", jwt_secret="a-production-secret-a-production-secret-0123")


def test_only_asymmetric_algorithms_may_be_configured_for_the_provider() -> None:
    for algorithms in (["HS256"], ["none"], ["RS256", "HS512"]):
        with pytest.raises(ValidationError, match="GRANTS_OIDC_ALGORITHMS"):
            PlatformSettings(oidc_algorithms=algorithms)
