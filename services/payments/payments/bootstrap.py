"""The payments service's settings, engine, sessions and provider, built lazily (never at import time)."""

import logging
import time

from grants_shared.runtime import ServiceRuntime
from payments.adapters.provider import SandboxBankProvider
from payments.adapters.release_policy import load_policy
from payments.config import Settings
from payments.domain.release_rules import ReleasePolicy

log = logging.getLogger(__name__)

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
    return SandboxBankProvider(cfg.sandbox_bank_url, timeout=cfg.provider_timeout_s)


def prepare_database(attempts: int = 20) -> None:
    """Migrate to the newest schema when configured; the API and worker may race, so the loser retries."""
    policy()  # a malformed policy document stops the process here, not at the first release
    if not settings().migrate_on_start:
        return
    for attempt in range(1, attempts + 1):
        try:
            runtime.migrate()
            return
        except Exception as error:  # a concurrent migration of the other process; it finishes soon
            if attempt == attempts:
                raise
            log.warning("migration attempt %d failed (%r); retrying", attempt, error)
            time.sleep(0.5)
