"""Settings of the sandbox bank, read from environment variables prefixed ``SANDBOX_BANK_``."""

from __future__ import annotations

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MIN_KEY_LENGTH = 24


class Settings(BaseSettings):
    """Sandbox bank configuration (every field can be set as ``SANDBOX_BANK_<FIELD>``)."""

    model_config = SettingsConfigDict(env_prefix="SANDBOX_BANK_", extra="ignore")

    database_url: str = "sqlite:///var/sandbox_bank.db"
    migrate_on_start: bool = True  # no `grants migrate` step starts the bank: it migrates itself unless told not to
    host: str = "127.0.0.1"
    port: int = Field(default=8005, ge=0, le=65535)
    api_key: SecretStr = Field(
        min_length=MIN_KEY_LENGTH, description="The client's bearer key: payments, reports, health."
    )
    control_key: SecretStr = Field(
        min_length=MIN_KEY_LENGTH, description="The bearer key of the test controls (clock, behaviours, reset)."
    )
    settle_after_seconds: float = Field(default=1.0, ge=0)
    return_after_seconds: float = Field(default=1.0, ge=0)
    timeout_seconds: float = Field(default=5.0, ge=0)
    delay_factor: float = Field(default=10.0, ge=1)
    sweep_interval_seconds: float = Field(default=0.2, gt=0)
    max_body_bytes: int = Field(default=64 * 1024, gt=0)
    log_level: str = "info"

    @model_validator(mode="after")
    def _keys_differ(self) -> Settings:
        if self.api_key.get_secret_value() == self.control_key.get_secret_value():
            raise ValueError("SANDBOX_BANK_API_KEY and SANDBOX_BANK_CONTROL_KEY must differ")
        return self


def get_settings() -> Settings:
    """Read the settings from the environment now."""
    return Settings()  # the keys come from the environment
