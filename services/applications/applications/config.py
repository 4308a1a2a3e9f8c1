"""Settings of the applications service, read from environment variables."""

from pydantic import Field

from grants_shared.settings import PlatformSettings, migrate_on_start_setting


class Settings(PlatformSettings):
    """Platform settings plus the applications service's own database."""

    database_url: str | None = Field(None, validation_alias="APPLICATIONS_DATABASE_URL")
    migrate_on_start: bool = migrate_on_start_setting("applications")

    def db_url(self) -> str:
        """The database URL: APPLICATIONS_DATABASE_URL, else var/applications.db."""
        return self.database_url or self.sqlite_url("applications")
