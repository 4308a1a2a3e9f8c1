"""Settings common to every service, read from environment variables by pydantic-settings."""

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_JWT_SECRET = "development-only-secret-change-me-0123456789"


class PlatformSettings(BaseSettings):
    """What every process of the platform reads: where Redis and var/ are, delivery tuning, tokens."""

    model_config = SettingsConfigDict(env_prefix="GRANTS_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    var_dir: Path = Path("var")
    redis_url: str = Field("redis://127.0.0.1:6380/0", validation_alias="REDIS_URL")
    max_deliveries: int = Field(5, ge=1, description="Deliveries of a failing message before it is dead-lettered.")
    park_timeout_s: float = Field(
        3600.0, gt=0, description="How long an event may wait parked for its prerequisite before it is dead-lettered."
    )
    consumer_batch: int = Field(200, ge=1, le=5000, description="Events read per stream and applied per transaction.")
    consumer_block_ms: int = Field(1000, ge=10, description="How long a consumer's read waits for new entries.")
    claim_idle_ms: int = Field(1000, ge=50, description="Pending this long, a message is claimed by another consumer.")
    relay_interval_s: float = Field(0.05, gt=0, description="How often the outbox relay looks for unsent rows.")
    read_cache_ttl_s: float = Field(
        1.0,
        ge=0,
        le=60,
        description="How long an API keeps a read-model answer (fund position, dashboard, "
        "neighbourhoods) before reading it again; 0 reads on every request.",
    )
    jwt_secret: str = DEV_JWT_SECRET
    jwt_issuer: str = "grants-platform"
    jwt_audience: str = "grants-api"
    reference_data_dir: Path | None = None
    event_keys: dict[str, dict[str, SecretStr]] = Field(
        default_factory=dict,
        description="The event signing keys, JSON {producer: {key id: secret}}: a worker signs with its own producer's "
        "and accepts any listed key of a stream's producer. Required in production; in development generated once "
        "into var/event-keys.json.",
    )
    event_signing_key_id: str | None = Field(
        None, description="The key id a producer signs with (default: the last listed for it); rotate with overlap."
    )

    @model_validator(mode="after")
    def _refuse_dev_secret_in_production(self) -> "PlatformSettings":
        if self.env == "production" and self.jwt_secret == DEV_JWT_SECRET:
            raise ValueError("GRANTS_JWT_SECRET must be set to a real secret in production")
        return self

    def sqlite_url(self, service: str) -> str:
        """The default embedded database of a service: a SQLite file under var/."""
        return f"sqlite:///{(self.var_dir / f'{service}.db').resolve()}"
