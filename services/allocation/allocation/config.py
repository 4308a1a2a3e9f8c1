"""Settings of the allocation service, read from environment variables."""

from pydantic import Field

from grants_shared.settings import PlatformSettings


class Settings(PlatformSettings):
    """Platform settings plus the allocation service's own database."""

    database_url: str | None = Field(None, validation_alias="ALLOCATION_DATABASE_URL")

    def db_url(self) -> str:
        """The database URL: ALLOCATION_DATABASE_URL, else var/allocation.db."""
        return self.database_url or self.sqlite_url("allocation")
