"""Settings of the payments service: its database, the payment provider, the release policy and loop timing."""

from pydantic import Field, SecretStr, model_validator

from grants_shared.settings import PlatformSettings, migrate_on_start_setting


class Settings(PlatformSettings):
    """Environment variables of the payments API and worker."""

    database_url: str | None = Field(None, validation_alias="PAYMENTS_DATABASE_URL")
    migrate_on_start: bool = migrate_on_start_setting("payments")
    sandbox_bank_url: str = Field("http://127.0.0.1:8005", validation_alias="SANDBOX_BANK_URL")
    sandbox_bank_api_key: SecretStr | None = Field(
        None,
        min_length=24,
        validation_alias="SANDBOX_BANK_API_KEY",
        description="The bearer key payments sends the bank (required in production).",
    )
    provider_clock_skew_s: float = Field(
        120.0,
        ge=0,
        le=3600,
        validation_alias="PAYMENTS_PROVIDER_CLOCK_SKEW_S",
        description="How far ahead of our clock the bank's report cursor may be; beyond it is clamped and logged.",
    )
    provider_timeout_s: float = Field(
        3.0, gt=0, validation_alias="PAYMENTS_PROVIDER_TIMEOUT_S", description="Wait this long for the bank."
    )
    release_policy_file: str | None = Field(
        None,
        validation_alias="PAYMENTS_RELEASE_POLICY_FILE",
        description="The release policy document (JSON); unset: the fund's default, adapters/release_policy.json.",
    )
    poll_interval_s: float = Field(0.5, gt=0, validation_alias="PAYMENTS_POLL_INTERVAL_S")
    max_payment_attempts: int = Field(
        3,
        ge=1,
        validation_alias="PAYMENTS_MAX_PAYMENT_ATTEMPTS",
        description="Instructions per tranche before a failed tranche waits for a finance officer's retry.",
    )
    reconcile_grace_s: float = Field(
        300.0,
        ge=0,
        validation_alias="PAYMENTS_RECONCILE_GRACE_S",
        description="A settlement line or posting unmatched this long (by the bank's clock) is a difference.",
    )
    payee_sort_code: str = Field("040004", pattern=r"^[0-9]{6}$", validation_alias="PAYMENTS_PAYEE_SORT_CODE")

    @model_validator(mode="after")
    def _bank_key_in_production(self) -> "Settings":
        if self.env == "production" and self.sandbox_bank_api_key is None:
            raise ValueError("SANDBOX_BANK_API_KEY must be set in production")
        return self

    def db_url(self) -> str:
        """The payments database: PAYMENTS_DATABASE_URL, else var/payments.db."""
        return self.database_url or self.sqlite_url("payments")
