"""Settings of every API's edge: the docs, the metrics scrape token, HSTS and how long probes are cached."""

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PRODUCTION = "production"


class EdgeSettings(BaseSettings):
    """GRANTS_DOCS_ENABLED, GRANTS_METRICS_TOKEN, GRANTS_HSTS_MAX_AGE_S and GRANTS_PROBE_CACHE_S.

    The defaults follow GRANTS_ENV: in production the docs are off, /metrics needs the scrape token (and without one
    is closed to every caller) and answers carry Strict-Transport-Security; elsewhere the docs are on and /metrics is
    open unless a token is set.
    """

    model_config = SettingsConfigDict(env_prefix="GRANTS_", extra="ignore")

    docs_enabled: bool | None = Field(
        None, description="Serve /docs, /redoc and /openapi.json. Default: on, except in production."
    )
    metrics_token: SecretStr | None = Field(
        None,
        min_length=32,
        description="Bearer token a scraper must send to /metrics; required in production (else /metrics is closed).",
    )
    hsts_max_age_s: int = Field(
        31_536_000, ge=0, description="Strict-Transport-Security max-age sent in production; 0 sends none."
    )
    probe_cache_s: float = Field(
        2.0, ge=0, le=60, description="How long /readyz and /metrics reuse their last answer (0: never)."
    )

    def docs_on(self, env: str) -> bool:
        """True when the API documents itself (/docs, /redoc, /openapi.json)."""
        return self.docs_enabled if self.docs_enabled is not None else env != PRODUCTION

    def hsts(self, env: str) -> str | None:
        """The Strict-Transport-Security value to send, if any (production only: development runs on plain HTTP)."""
        return f"max-age={self.hsts_max_age_s}" if env == PRODUCTION and self.hsts_max_age_s else None

    def metrics_closed(self, env: str) -> bool:
        """True when /metrics needs a bearer token: one is set, or this is production (where it must be)."""
        return self.metrics_token is not None or env == PRODUCTION
