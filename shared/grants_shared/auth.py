"""OAuth2 bearer JWTs: signature (pinned algorithms), issuer, audience, expiry and subject checked; roles in the token.

Two kinds of token are accepted. In production only the OpenID Connect provider's (GRANTS_OIDC_ISSUER): signed with
an asymmetric key (GRANTS_OIDC_ALGORITHMS) it publishes in its JWKS, roles and organisation read from configurable
claims. Elsewhere also development tokens: HS256 with GRANTS_JWT_SECRET, minted by `grants token` and the tests.
"""

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from grants_shared import oidc
from grants_shared.http.problems import Problem
from grants_shared.settings import PlatformSettings
from grants_shared.tokens import ALGORITHM, Role, mint_token

__all__ = ["Principal", "Role", "decode_token", "mint_token"]  # Role and mint_token live in tokens, for the CLI

ALGORITHMS = [ALGORITHM]
REALM = "grants"
UNQUOTABLE = re.compile(r"[^ !#-\[\]-~]")  # what an RFC 6750 error_description may not hold
ROLE_NAMES = frozenset(str(r) for r in Role)
PROVIDER_RETRY_AFTER_S = 5


class Principal(BaseModel):
    """Who is calling: the token's subject, roles and, for applicants, their organisation."""

    subject: str
    roles: frozenset[Role]
    organisation_id: str | None = None

    def has(self, *roles: Role) -> bool:
        """True when the caller holds any of `roles`."""
        return bool(self.roles.intersection(roles))


def challenge(error: str | None = None, description: str = "") -> dict[str, str]:
    """The RFC 6750 `WWW-Authenticate` header of a refusal (no error code when no token was sent)."""
    value = f'Bearer realm="{REALM}"'
    if error:
        value += f', error="{error}"'
    if description:
        value += f', error_description="{UNQUOTABLE.sub("", description)[:200]}"'
    return {"WWW-Authenticate": value}


def invalid(detail: str) -> Problem:
    """The 401 answer to a token that is not acceptable."""
    return Problem(401, "invalid-token", "The bearer token is not valid", detail, challenge("invalid_token", detail))


VERIFIED_CACHE_SIZE = 10_000
_verified: dict[tuple[str, tuple[object, ...]], tuple[float, Principal]] = {}


def _checked_against(settings: PlatformSettings) -> tuple[object, ...]:
    return (
        settings.env,
        settings.jwt_secret,
        settings.jwt_issuer,
        settings.jwt_audience,
        settings.oidc_issuer,
        settings.oidc_audience,
        tuple(settings.oidc_algorithms),
        settings.oidc_roles_claim,
        settings.oidc_organisation_claim,
    )


def remembered(settings: PlatformSettings, token: str) -> Principal | None:
    """The principal of a token verified before against the same settings and not expired since, else None."""
    known = _verified.get((token, _checked_against(settings)))
    return known[1] if known is not None and time.time() < known[0] else None


def decode_token(settings: PlatformSettings, token: str) -> Principal:
    """Verify a token and return its principal; raises Problem(401) when it is not acceptable.

    A token once verified is remembered until it expires (by its own `exp`; a provider's token at most
    GRANTS_OIDC_JWKS_LIFESPAN_S, so a withdrawn key stops being honoured), keyed by the token and every setting
    it was checked against: a client sending the same token on every request costs one signature check, not one
    per request. Refused tokens are not remembered. A provider's token whose key is not held yet may fetch the JWKS.
    """
    known = remembered(settings, token)
    if known is not None:
        return known
    principal, expires = _verify(settings, token)
    if len(_verified) >= VERIFIED_CACHE_SIZE:
        _verified.clear()
    _verified[(token, _checked_against(settings))] = (expires, principal)
    return principal


def _verify(settings: PlatformSettings, token: str) -> tuple[Principal, float]:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise invalid(str(error)) from error
    alg = header.get("alg")
    if alg == ALGORITHM:
        return _development(settings, token)
    if settings.oidc_issuer and alg in settings.oidc_algorithms:
        return _from_provider(settings, token, header.get("kid"))
    raise invalid(f"tokens signed with {alg!r} are not accepted here")


def _development(settings: PlatformSettings, token: str) -> tuple[Principal, float]:
    if not settings.development_tokens:
        raise invalid("development (HS256) tokens are not accepted in production")
    claims = _decode(token, settings.jwt_secret, ALGORITHMS, settings.jwt_issuer, settings.jwt_audience)
    try:
        roles = frozenset(Role(r) for r in claims.get("roles", []))
    except (TypeError, ValueError) as error:
        raise invalid(str(error)) from error
    return _principal(claims, roles, claims.get("org")), float(claims["exp"])


def _from_provider(settings: PlatformSettings, token: str, kid: Any) -> tuple[Principal, float]:
    try:
        key = oidc.signing_keys(settings).get(kid if isinstance(kid, str) else None)
    except oidc.UnknownSigningKey as error:
        raise invalid(str(error)) from error
    except oidc.ProviderUnavailable as error:
        raise Problem(
            503,
            "identity-provider-unavailable",
            "The identity provider's keys cannot be read",
            str(error),
            {"Retry-After": str(PROVIDER_RETRY_AFTER_S)},
        ) from error
    issuer, audience = settings.oidc_issuer or "", settings.oidc_audience
    claims = _decode(token, key, list(settings.oidc_algorithms), issuer, audience)
    named = oidc.claim(claims, settings.oidc_roles_claim)
    names = named.split() if isinstance(named, str) else named if isinstance(named, list) else []
    roles = frozenset(Role(r) for r in names if r in ROLE_NAMES)  # a provider's other roles grant nothing
    organisation = oidc.claim(claims, settings.oidc_organisation_claim)
    expires = min(float(claims["exp"]), time.time() + settings.oidc_jwks_lifespan_s)
    return _principal(claims, roles, organisation if isinstance(organisation, str) else None), expires


def _decode(token: str, key: Any, algorithms: list[str], issuer: str, audience: str) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=algorithms,
            audience=audience,
            issuer=issuer,
            options={"require": ["exp", "iss", "aud", "sub"]},
        )
    except jwt.PyJWTError as error:
        raise invalid(str(error)) from error
    return claims


def _principal(claims: dict[str, Any], roles: frozenset[Role], organisation: Any) -> Principal:
    subject = claims["sub"]
    if not isinstance(subject, str) or not subject.strip():
        raise invalid("the token names no subject")
    return Principal(subject=subject, roles=roles, organisation_id=organisation or None)


_bearer = HTTPBearer(auto_error=False)


async def current_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    """FastAPI dependency: the verified caller (401 problem with `WWW-Authenticate` without a valid bearer token).

    Async because it rarely waits: a remembered token is a dict look-up and a development token one HMAC, done
    here (FastAPI would run a plain `def` dependency on a worker thread, a hand-off that cost more than the check).
    A provider's token not seen before is checked on a worker thread, as it may have to fetch the provider's keys.
    """
    if credentials is None:
        raise Problem(401, "unauthenticated", "A bearer token is required", headers=challenge())
    settings: PlatformSettings = request.app.state.settings
    token = credentials.credentials
    if settings.oidc_issuer and remembered(settings, token) is None:
        return await asyncio.to_thread(decode_token, settings, token)
    return decode_token(settings, token)


def require(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """FastAPI dependency factory: the caller must hold one of `roles` (403 problem otherwise)."""

    async def _check(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if not principal.has(*roles):
            raise Problem(
                403,
                "forbidden",
                "Your role may not do this",
                f"Needs one of: {', '.join(sorted(roles))}.",
                challenge("insufficient_scope"),
            )
        return principal

    _check.roles = frozenset(roles)  # type: ignore[attr-defined]  # read by the tests that check who may call what
    return _check
