"""Settings of the sandbox bank, read from environment variables prefixed ``SANDBOX_BANK_``."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Sandbox bank configuration (every field can be set as ``SANDBOX_BANK_<FIELD>``)."""

    model_config = SettingsConfigDict(env_prefix="SANDBOX_BANK_", extra="ignore")

    database_url: str = "sqlite:///var/sandbox_bank.db"
    migrate_on_start: bool = True  # no `grants migrate` step starts the bank: it migrates itself unless told not to
    host: str = "127.0.0.1"
    port: int = Field(default=8005, ge=0, le=65535)
    settle_after_seconds: float = Field(default=1.0, ge=0)
    return_after_seconds: float = Field(default=1.0, ge=0)
    timeout_seconds: float = Field(default=5.0, ge=0)
    delay_factor: float = Field(default=10.0, ge=1)
    sweep_interval_seconds: float = Field(default=0.2, gt=0)
    max_body_bytes: int = Field(default=64 * 1024, gt=0)
    log_level: str = "info"


def get_settings() -> Settings:
    """Read the settings from the environment now."""
    return Settings()
