"""The platform's roles and minting a bearer token: light enough for the CLI, which must not load the web stack."""

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from grants_shared.settings import PlatformSettings

ALGORITHM = "HS256"


class Role(StrEnum):
    """The platform's roles (ARCHITECTURE.md section 8)."""

    APPLICANT = "applicant"
    ASSESSOR = "assessor"
    FINANCE_OFFICER = "finance_officer"
    FINANCE_APPROVER = "finance_approver"
    OPERATOR = "operator"
    INTEGRATOR = "integrator"


def mint_token(
    settings: "PlatformSettings",
    *,
    subject: str,
    roles: list[Role],
    organisation_id: str | None = None,
    ttl: timedelta = timedelta(hours=8),
) -> str:
    """Sign a token for development and tests with the claims `grants_shared.auth` checks."""
    import jwt  # here, so importing the roles costs nothing

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
