"""The platform's roles and minting a bearer token: light enough for the CLI, which must not load the web stack."""

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from grants_shared.settings import PlatformSettings

ALGORITHM = "HS256"


class Role(StrEnum):
    """The platform's roles (ARCHITECTURE.md section 8), people's and services'."""

    APPLICANT = "applicant"
    ASSESSOR = "assessor"
    FINANCE_OFFICER = "finance_officer"
    FINANCE_APPROVER = "finance_approver"
    OPERATOR = "operator"
    INTEGRATOR = "integrator"
    REGISTRY_READER = "registry_reader"  # a service (allocation's worker) reading the neighbourhood registry only


SERVICE_ROLES = frozenset({Role.REGISTRY_READER})
"""Roles held by services' own client credentials, never by a person."""


class MintingRefused(Exception):
    """Development tokens are not minted where they are not accepted (GRANTS_ENV=production)."""


def mint_token(
    settings: "PlatformSettings",
    *,
    subject: str,
    roles: list[Role],
    organisation_id: str | None = None,
    ttl: timedelta = timedelta(hours=8),
) -> str:
    """Sign a development or test token (HS256, GRANTS_JWT_SECRET) with the claims `grants_shared.auth` checks."""
    import jwt  # here, so importing the roles costs nothing

    if not settings.development_tokens:
        raise MintingRefused(
            f"GRANTS_ENV is {settings.env}: development tokens are not minted or accepted there; "
            "get a token from the OpenID Connect provider (GRANTS_OIDC_ISSUER)"
        )
    now = datetime.now(UTC)
    claims: dict[str, object] = {
        "sub": subject,
        "roles": [str(r) for r in roles],
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + ttl,
    }
    if organisation_id:
        claims["org"] = organisation_id
    return jwt.encode(claims, settings.jwt_secret, algorithm=ALGORITHM)
