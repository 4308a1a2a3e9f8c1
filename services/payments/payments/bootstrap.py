"""The payments service's settings, engine, sessions and provider, built lazily (never at import time)."""

from grants_shared.runtime import ServiceRuntime
from payments.adapters.provider import SandboxBankProvider
from payments.adapters.release_policy import load_policy
from payments.config import Settings
from payments.domain.release_rules import ReleasePolicy

runtime = ServiceRuntime(Settings, "payments")  # builds nothing until first use

settings = runtime.settings
engine = runtime.engine
sessions = runtime.sessions
reset = runtime.reset


def policy() -> ReleasePolicy:
    """The release policy in force (the document PAYMENTS_RELEASE_POLICY_FILE names, else the fund's default)."""
    return load_policy(settings().release_policy_file)


def provider() -> SandboxBankProvider:
    """A new client of the payment provider (one per loop, so no two threads share a connection pool)."""
    cfg = settings()
    key = cfg.sandbox_bank_api_key.get_secret_value() if cfg.sandbox_bank_api_key else None
    return SandboxBankProvider(cfg.sandbox_bank_url, api_key=key, timeout=cfg.provider_timeout_s)
