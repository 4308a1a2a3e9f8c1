"""Settings common to every service, read from environment variables by pydantic-settings."""

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from grants_shared.redis_url import has_password, with_credentials, with_tls_files

DEV_JWT_SECRET = "development-only-secret-change-me-0123456789"
MIN_JWT_SECRET_BYTES = 32  # RFC 7518 3.2: an HS256 key at least as long as the hash
OIDC_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")


class PlatformSettings(BaseSettings):
    """What every process of the platform reads: where Redis and var/ are, delivery tuning, tokens."""

    model_config = SettingsConfigDict(env_prefix="GRANTS_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    var_dir: Path = Path("var")
    redis_url: str = Field(
        "redis://127.0.0.1:6380/0",
        validation_alias="REDIS_URL",
        description="Where Redis is (`rediss://` for TLS); once read, it also carries the user, password and TLS "
        "files below, so every client built from it connects as this process's own Redis user.",
    )
    redis_username: str | None = Field(None, description="This process's Redis ACL user (its service's name).")
    redis_password: SecretStr | None = Field(None, description="That user's password; required in production.")
    redis_ca_certs: Path | None = Field(None, description="CA bundle that signed the Redis server's certificate.")
    redis_certfile: Path | None = Field(None, description="Client certificate, when Redis asks for one.")
    redis_keyfile: Path | None = Field(None, description="The client certificate's private key.")
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
    jwt_secret: str = Field(DEV_JWT_SECRET, description="HS256 key of development tokens (never used in production).")
    jwt_issuer: str = "grants-platform"
    jwt_audience: str = "grants-api"
    oidc_issuer: str | None = Field(
        None, description="The OpenID Connect provider whose tokens are accepted (required in production)."
    )
    oidc_audience: str = Field("grants-api", description="The `aud` the provider's tokens must carry.")
    oidc_jwks_url: str | None = Field(None, description="The provider's JWKS; default: from its discovery document.")
    oidc_token_url: str | None = Field(
        None, description="The provider's token endpoint (client credentials); default: from its discovery document."
    )
    oidc_algorithms: list[str] = Field(["RS256", "ES256", "EdDSA"], description="Signature algorithms accepted.")
    oidc_roles_claim: str = Field("roles", description="Claim (dotted path) holding the platform roles.")
    oidc_organisation_claim: str = Field("org", description="Claim (dotted path) holding an applicant's organisation.")
    oidc_jwks_lifespan_s: float = Field(300.0, gt=0, description="How long fetched signing keys are used unchecked.")
    oidc_jwks_min_refetch_s: float = Field(
        30.0, ge=0, description="Least time between two JWKS fetches caused by tokens naming an unknown key."
    )
    oidc_http_timeout_s: float = Field(5.0, gt=0, description="Timeout of each call to the provider.")
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
    def _check_identity(self) -> "PlatformSettings":
        if len(self.jwt_secret.encode()) < MIN_JWT_SECRET_BYTES:
            raise ValueError(f"GRANTS_JWT_SECRET must be at least {MIN_JWT_SECRET_BYTES} bytes")
        if unknown := set(self.oidc_algorithms) - set(OIDC_ALGORITHMS):
            raise ValueError(
                f"GRANTS_OIDC_ALGORITHMS may name only {', '.join(OIDC_ALGORITHMS)}: not {sorted(unknown)}"
            )
        if self.env == "production" and not self.oidc_issuer:
            raise ValueError(
                "GRANTS_OIDC_ISSUER must name the OpenID Connect provider in production "
                "(HS256 tokens signed with GRANTS_JWT_SECRET are for development only)"
            )
        return self

    @model_validator(mode="after")
    def _connect_to_redis_as_own_user(self) -> "PlatformSettings":
        password = self.redis_password.get_secret_value() if self.redis_password else None
        url = with_credentials(self.redis_url, self.redis_username, password)
        self.redis_url = with_tls_files(url, self.redis_ca_certs, self.redis_certfile, self.redis_keyfile)
        return self

    def require_redis_password(self) -> None:
        """Refuse to run a process that talks to Redis in production without a password (its ACL user's)."""
        if self.env == "production" and not has_password(self.redis_url):
            raise ValueError(
                "Redis needs a user and password in production: set GRANTS_REDIS_USERNAME and "
                "GRANTS_REDIS_PASSWORD (or put them in REDIS_URL)"
            )

    @property
    def development_tokens(self) -> bool:
        """True where HS256 tokens signed with GRANTS_JWT_SECRET may be minted and are accepted."""
        return self.env != "production"

    def sqlite_url(self, service: str) -> str:
        """The default embedded database of a service: a SQLite file under var/."""
        return f"sqlite:///{(self.var_dir / f'{service}.db').resolve()}"


def migrate_on_start_setting(service: str) -> Any:
    """The `<SERVICE>_MIGRATE_ON_START` field every service's settings declare (off: `grants migrate` migrates)."""
    return Field(
        False,
        validation_alias=f"{service.upper()}_MIGRATE_ON_START",
        description="Migrate the database to the newest schema as the API or worker starts.",
    )
