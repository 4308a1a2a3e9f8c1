"""`grants token`: a development bearer token, minted without loading the services' web stack.

grants_shared.auth pulls in FastAPI and SQLAlchemy (it also holds the API's dependencies), which took `grants token`
about 3 s; the roles and the minting live in the light grants_shared.tokens, which auth re-exports.
"""

import re
from datetime import timedelta

import typer

from grants_cli.errors import CommandFailed, shown_url
from grants_shared.tokens import MintingRefused, Role, mint_token

__all__ = ["Role", "mint", "resolve_organisation"]

ORG_ID = re.compile(r"[A-Z]{2}-[A-Z]{2,4}-[A-Z0-9]+")  # 360Giving form, e.g. GB-CHC-1234567 (upper-cased first)


REFUSED_IN_PRODUCTION = (
    "`grants token` mints development tokens only, and GRANTS_ENV is production, where the services accept only "
    "the identity provider's tokens (GRANTS_OIDC_ISSUER): get a token from the provider instead"
)


def mint(role: Role, subject: str, organisation_id: str | None, ttl: timedelta = timedelta(hours=8)) -> str:
    """A development token signed with GRANTS_JWT_SECRET carrying the claims grants_shared.auth checks.

    Refused (CommandFailed, exit 1) in production, before the settings are even read whole.
    """
    from pydantic_settings import BaseSettings, SettingsConfigDict

    from grants_shared.settings import PlatformSettings

    class Environment(BaseSettings):
        model_config = SettingsConfigDict(env_prefix="GRANTS_", extra="ignore")
        env: str = "development"

    if Environment().env.strip().lower() == "production":
        raise CommandFailed(REFUSED_IN_PRODUCTION)
    try:
        return mint_token(PlatformSettings(), subject=subject, roles=[role], organisation_id=organisation_id, ttl=ttl)
    except MintingRefused as error:
        raise CommandFailed(str(error)) from error


def resolve_organisation(value: str) -> str:
    """The organisation's internal id, given that id or its org-id (looked up in the applications database)."""
    org_id = value.strip().upper()
    if not ORG_ID.fullmatch(org_id):
        return value
    found = lookup_org_id(org_id)
    if found is None:
        raise typer.BadParameter(
            f"no organisation with org-id {org_id} is registered (register it with "
            "POST /organisations, or pass the organisation's id)",
            param_hint="'--organisation'",
        )
    return found


def lookup_org_id(org_id: str) -> str | None:
    """The id of the organisation registered with `org_id`, read from the applications database."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import DBAPIError

    from grants_cli.errors import database_url, explain

    url = database_url("applications")
    if url.startswith("sqlite:///") and not _sqlite_exists(url):
        raise CommandFailed(
            f"the applications database at {url} does not exist, so org-id {org_id} cannot be "
            "looked up: run `grants migrate` (or `grants run`) and register the organisation"
        )
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            row = connection.execute(
                text("SELECT id FROM organisations WHERE org_id = :org_id"), {"org_id": org_id}
            ).first()
    except DBAPIError as error:
        raise CommandFailed(
            explain(str(error), "applications")
            or f"cannot read the applications database at {shown_url(url)}: {error.orig}"
        ) from error
    finally:
        engine.dispose()
    return None if row is None else str(row[0])


def _sqlite_exists(url: str) -> bool:
    from pathlib import Path

    return Path(url.removeprefix("sqlite:///").split("?", 1)[0]).is_file()
