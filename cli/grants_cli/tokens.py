"""`grants token`: a development bearer token, minted without loading the services' web stack.

grants_shared.auth.mint_token would pull in FastAPI and SQLAlchemy (its module also holds the API's dependencies),
which took `grants token` about 3 s; this mints the same claims with PyJWT alone, and a test decodes the result with
grants_shared.auth so the two cannot drift apart.
"""

import re
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import typer

from grants_cli.errors import CommandFailed, shown_url

ORG_ID = re.compile(r"[A-Z]{2}-[A-Z]{2,4}-[A-Z0-9]+")  # 360Giving form, e.g. GB-CHC-1234567 (upper-cased first)


class Role(StrEnum):
    """The platform's roles, as grants_shared.auth.Role names them."""

    APPLICANT = "applicant"
    ASSESSOR = "assessor"
    FINANCE_OFFICER = "finance_officer"
    FINANCE_APPROVER = "finance_approver"
    OPERATOR = "operator"
    INTEGRATOR = "integrator"


def mint(role: Role, subject: str, organisation_id: str | None, ttl: timedelta = timedelta(hours=8)) -> str:
    """A token signed with GRANTS_JWT_SECRET carrying the claims grants_shared.auth checks."""
    import jwt

    from grants_shared.settings import PlatformSettings

    settings, now = PlatformSettings(), datetime.now(UTC)
    claims: dict[str, object] = {"sub": subject, "roles": [str(role)], "iss": settings.jwt_issuer,
                                 "aud": settings.jwt_audience, "iat": now, "exp": now + ttl}
    if organisation_id:
        claims["org"] = organisation_id
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")


def resolve_organisation(value: str) -> str:
    """The organisation's internal id, given that id or its org-id (looked up in the applications database)."""
    org_id = value.strip().upper()
    if not ORG_ID.fullmatch(org_id):
        return value
    found = lookup_org_id(org_id)
    if found is None:
        raise typer.BadParameter(f"no organisation with org-id {org_id} is registered (register it with "
                                 "POST /organisations, or pass the organisation's id)", param_hint="'--organisation'")
    return found


def lookup_org_id(org_id: str) -> str | None:
    """The id of the organisation registered with `org_id`, read from the applications database."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import DBAPIError

    from grants_cli.errors import database_url, explain

    url = database_url("applications")
    if url.startswith("sqlite:///") and not _sqlite_exists(url):
        raise CommandFailed(f"the applications database at {url} does not exist, so org-id {org_id} cannot be "
                            "looked up: run `grants migrate` (or `grants run`) and register the organisation")
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            row = connection.execute(text("SELECT id FROM organisations WHERE org_id = :org_id"),
                                     {"org_id": org_id}).first()
    except DBAPIError as error:
        raise CommandFailed(explain(str(error), "applications") or
                            f"cannot read the applications database at {shown_url(url)}: {error.orig}") from error
    finally:
        engine.dispose()
    return None if row is None else str(row[0])


def _sqlite_exists(url: str) -> bool:
    from pathlib import Path

    return Path(url.removeprefix("sqlite:///").split("?", 1)[0]).is_file()

