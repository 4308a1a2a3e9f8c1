"""The worker loop that fetches the wards of the vintage in force, retrying with backoff until it holds them."""

import asyncio
import logging
from collections.abc import Callable

import httpx

from allocation.adapters.registry_source import RegistrySource, RegistryUnavailable, fetch_vintage
from allocation.adapters.registry_store import in_force, record_failure, store_wards
from allocation.config import Settings
from allocation.domain.lifecycle import PENDING
from grants_shared.delivery.writer import Database
from grants_shared.service_tokens import ServiceCredentials
from grants_shared.tokens import Role
from grants_shared.worker import WorkerContext

log = logging.getLogger(__name__)
MAX_BACKOFF_S = 30.0


def fetch_once(db: Database, connect: Callable[[], RegistrySource]) -> str:
    """Fetch and store the vintage in force if it is pending: 'idle', 'held' or 'failed'."""
    with db.reading() as session:
        vintage = in_force(session)
        if vintage is None or vintage.status != PENDING:
            return "idle"
        target = (vintage.inputs_hash, vintage.name, vintage.ward_count, vintage.left_behind_count)
    try:
        with connect() as source:
            wards = fetch_vintage(source, *target)
    except (httpx.HTTPError, RegistryUnavailable, ValueError, KeyError) as error:
        log.warning("registry %s not fetched yet: %r", target[1], error)
        reason = repr(error)
        db.transact(lambda uow: record_failure(uow, target[0], reason))
        return "failed"
    stored = db.transact(lambda uow: store_wards(uow, target[0], wards))
    log.info("registry %s held: %d wards", target[1], len(wards))
    return "held" if stored else "idle"


def registry_credentials(settings: Settings) -> ServiceCredentials:
    """Allocation's own credentials for the registry: its OAuth2 client, or in development a registry_reader token."""
    return ServiceCredentials(
        settings,
        subject="service:allocation",
        roles=[Role.REGISTRY_READER],
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        scope=settings.oidc_scope,
    )


def source_from_settings(settings: Settings, credentials: ServiceCredentials) -> RegistrySource:
    """The applications service named by APPLICATIONS_URL, read with allocation's own service token."""
    return RegistrySource(settings.applications_url, credentials.token())


async def registry_loop(context: WorkerContext, credentials: ServiceCredentials | None = None) -> None:
    """Keep the vintage in force held: poll every few seconds, back off on failures."""
    settings = context.settings
    if not isinstance(settings, Settings):
        raise TypeError("the registry loop needs the allocation service's settings")
    interval = settings.registry_poll_s
    delay, db = interval, Database(context.sessions, context.writer)
    credentials = credentials or registry_credentials(settings)
    while True:
        try:
            outcome = await asyncio.to_thread(fetch_once, db, lambda: source_from_settings(settings, credentials))
        except Exception:  # a database hiccup must not end the loop: log it and try again later
            log.exception("registry fetch turn failed")
            outcome = "failed"
        delay = min(delay * 2, MAX_BACKOFF_S) if outcome == "failed" else interval
        await asyncio.sleep(delay)
