"""OAuth2 bearer JWTs: signature (pinned algorithm), issuer, audience and expiry checked; roles in the token."""

import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from grants_shared.http.problems import Problem
from grants_shared.settings import PlatformSettings

ALGORITHMS = ["HS256"]


class Role(StrEnum):
    """The platform's roles (ARCHITECTURE.md section 8)."""

    APPLICANT = "applicant"
    ASSESSOR = "assessor"
    FINANCE_OFFICER = "finance_officer"
    FINANCE_APPROVER = "finance_approver"
    OPERATOR = "operator"
    INTEGRATOR = "integrator"


class Principal(BaseModel):
    """Who is calling: the token's subject, roles and, for applicants, their organisation."""

    subject: str
    roles: frozenset[Role]
    organisation_id: str | None = None

    def has(self, *roles: Role) -> bool:
        """True when the caller holds any of `roles`."""
        return bool(self.roles.intersection(roles))


def mint_token(
    settings: PlatformSettings,
    *,
    subject: str,
    roles: list[Role],
    organisation_id: str | None = None,
    ttl: timedelta = timedelta(hours=8),
) -> str:
    """Sign a token for development and tests."""
    now = datetime.now(UTC)
    claims = {
        "sub": subject,
        "roles": [str(r) for r in roles],
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + ttl,
    }
    if organisation_id:
        claims["org"] = organisation_id
    return jwt.encode(claims, settings.jwt_secret, algorithm=ALGORITHMS[0])


VERIFIED_CACHE_SIZE = 10_000
_verified: dict[tuple[str, str, str, str], tuple[float, Principal]] = {}


def decode_token(settings: PlatformSettings, token: str) -> Principal:
    """Verify a token and return its principal; raises Problem(401) when it is not acceptable.

    A token once verified is remembered until it expires (by its own `exp`), keyed by the token and the secret,
    issuer and audience it was checked against: a client sending the same token on every request costs one HMAC,
    not one per request. Refused tokens are not remembered.
    """
    key = (token, settings.jwt_secret, settings.jwt_issuer, settings.jwt_audience)
    known = _verified.get(key)
    if known is not None and time.time() < known[0]:
        return known[1]
    principal, expires = _verify(settings, token)
    if len(_verified) >= VERIFIED_CACHE_SIZE:
        _verified.clear()
    _verified[key] = (expires, principal)
    return principal


def _verify(settings: PlatformSettings, token: str) -> tuple[Principal, float]:
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret,
            algorithms=ALGORITHMS,
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": ["exp", "iss", "aud", "sub"]},
        )
        roles = frozenset(Role(r) for r in claims.get("roles", []))
    except (jwt.PyJWTError, ValueError) as error:
        raise Problem(401, "invalid-token", "The bearer token is not valid", str(error)) from error
    principal = Principal(subject=claims["sub"], roles=roles, organisation_id=claims.get("org"))
    return principal, float(claims["exp"])


_bearer = HTTPBearer(auto_error=False)


async def current_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    """FastAPI dependency: the verified caller (401 problem without a valid bearer token).

    Async because it never waits (a remembered token is a dict look-up, a new one one HMAC): FastAPI runs a plain
    `def` dependency on a worker thread, a hand-off that cost more than the check itself.
    """
    if credentials is None:
        raise Problem(401, "unauthenticated", "A bearer token is required")
    settings: PlatformSettings = request.app.state.settings
    return decode_token(settings, credentials.credentials)


def require(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """FastAPI dependency factory: the caller must hold one of `roles` (403 problem otherwise)."""

    async def _check(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if not principal.has(*roles):
            raise Problem(403, "forbidden", "Your role may not do this", f"Needs one of: {', '.join(sorted(roles))}.")
        return principal

    return _check
