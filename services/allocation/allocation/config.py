"""Settings of the allocation service, read from environment variables."""

from pydantic import Field

from grants_shared.settings import PlatformSettings, migrate_on_start_setting


class Settings(PlatformSettings):
    """Platform settings plus the allocation service's own database and where it reads the registry."""

    database_url: str | None = Field(None, validation_alias="ALLOCATION_DATABASE_URL")
    migrate_on_start: bool = migrate_on_start_setting("allocation")
    applications_url: str = Field(
        "http://127.0.0.1:8001",
        validation_alias="APPLICATIONS_URL",
        description="The applications API, read for every ward of the vintage in force.",
    )
    oidc_client_id: str | None = Field(
        None,
        validation_alias="ALLOCATION_OIDC_CLIENT_ID",
        description="Allocation's own OAuth2 client at the identity provider, to read the registry (production).",
    )
    oidc_client_secret: str | None = Field(None, validation_alias="ALLOCATION_OIDC_CLIENT_SECRET")
    oidc_scope: str | None = Field(
        None, validation_alias="ALLOCATION_OIDC_SCOPE", description="Scope asked with the client credentials, if any."
    )
    registry_poll_s: float = Field(
        2.0,
        gt=0,
        validation_alias="ALLOCATION_REGISTRY_POLL_S",
        description="How often the worker looks for a registry vintage to fetch.",
    )

    def db_url(self) -> str:
        """The database URL: ALLOCATION_DATABASE_URL, else var/allocation.db."""
        return self.database_url or self.sqlite_url("allocation")
