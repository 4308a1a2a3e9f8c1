"""The applications API: `uvicorn applications.api:create_app --factory --port 8001`."""

from fastapi import FastAPI

from applications import bootstrap
from applications.routes import applications, audit, organisations, partnerships, registry, starter
from grants_shared.http.app import create_service_app

DESCRIPTION = (
    "Neighbourhood registry (wards with IMD/CNI measures and data vintage), fund-holding organisations, "
    "resident partnerships and applications with their eligibility assessment and allocation decision."
)


def create_app() -> FastAPI:
    """Build the API on the configured database (migrated first when APPLICATIONS_MIGRATE_ON_START is true)."""
    bootstrap.runtime.migrate_on_start()
    return create_service_app(
        service="applications",
        settings=bootstrap.settings(),
        engine=bootstrap.engine(),
        routers=[
            registry.router,
            organisations.router,
            partnerships.router,
            applications.router,
            starter.router,
            audit.router,
        ],
        description=DESCRIPTION,
    )
