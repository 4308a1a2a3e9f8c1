"""The allocation service's HTTP API; `uvicorn allocation.api:create_app --factory` runs it."""

from fastapi import FastAPI

from allocation import bootstrap
from allocation.routes import pool, pools, registry, rounds, runs
from grants_shared.http.app import create_service_app

DESCRIPTION = (
    "Funding rounds, least-first allocation runs (simulated or committed), decisions with rationale, "
    "verification and diffs of runs, the pool of applications waiting, and the registry need is scored against."
)


def create_app() -> FastAPI:
    """Build the API app on the configured database (migrated first when ALLOCATION_MIGRATE_ON_START is true)."""
    bootstrap.runtime.migrate_on_start()
    return create_service_app(
        service="allocation",
        settings=bootstrap.settings(),
        engine=bootstrap.engine(),
        routers=[rounds.router, runs.router, pool.router, registry.router, pools.router],
        description=DESCRIPTION,
    )
