"""Settings of the reporting service, read from environment variables."""

from pydantic import Field

from grants_shared.settings import PlatformSettings, migrate_on_start_setting


class Settings(PlatformSettings):
    """Platform settings plus the reporting database and the dashboard's tuning."""

    database_url: str | None = Field(None, validation_alias="REPORTING_DATABASE_URL")
    migrate_on_start: bool = migrate_on_start_setting("reporting")
    dashboard_refresh_s: int = Field(
        15,
        ge=0,
        le=3600,
        validation_alias="REPORTING_DASHBOARD_REFRESH_S",
        description="How often the dashboard page reloads itself (0: never).",
    )
    dashboard_rows: int = Field(
        20,
        ge=1,
        le=200,
        validation_alias="REPORTING_DASHBOARD_ROWS",
        description="Tranches listed on the dashboard under due and overdue.",
    )
    webhooks_allow_loopback: bool = Field(
        False,
        validation_alias="REPORTING_WEBHOOKS_ALLOW_LOOPBACK",
        description="Let webhook endpoints be loopback addresses (honoured only when GRANTS_ENV=development).",
    )
    webhooks_timeout_s: float = Field(10.0, gt=0, le=60, validation_alias="REPORTING_WEBHOOKS_TIMEOUT_S")
    webhooks_concurrency: int = Field(16, ge=1, le=256, validation_alias="REPORTING_WEBHOOKS_CONCURRENCY")
    webhooks_lease_s: int = Field(
        120,
        ge=1,
        le=3600,
        validation_alias="REPORTING_WEBHOOKS_LEASE_S",
        description="How long a sender holds a delivery it is sending: a crashed sender's are sent again after it.",
    )
    webhooks_disable_after_s: int = Field(
        86400,
        ge=60,
        validation_alias="REPORTING_WEBHOOKS_DISABLE_AFTER_S",
        description="An endpoint whose every attempt failed for this long is disabled until its owner enables it.",
    )

    indicator_catalogue_file: str | None = Field(
        None,
        validation_alias="REPORTING_INDICATOR_CATALOGUE_FILE",
        description="The outcome indicator catalogue (JSON); unset: the catalogue shipped with the service.",
    )
    report_reminder_days: int = Field(
        14,
        ge=0,
        le=366,
        validation_alias="REPORTING_REPORT_REMINDER_DAYS",
        description="How many days before a report falls due the worker sends its reminder.",
    )
    report_reminder_interval_s: float = Field(
        60.0,
        gt=0,
        le=86400,
        validation_alias="REPORTING_REPORT_REMINDER_INTERVAL_S",
        description="How often the worker looks for reports falling due or overdue.",
    )

    def db_url(self) -> str:
        """The reporting database: REPORTING_DATABASE_URL, else var/reporting.db."""
        return self.database_url or self.sqlite_url("reporting")
