"""The payments HTTP API: `uvicorn payments.api:create_app --factory --port 8003`."""

from fastapi import FastAPI

from grants_shared.http.app import create_service_app
from payments import bootstrap
from payments.routes import grants, ledger, tranches

DESCRIPTION = (
    "Tranche schedules, release holds and maker-checker approvals, payment instructions to the payment provider, "
    "and the double-entry ledger with its invariants. Amounts are integer pence."
)


def create_app() -> FastAPI:
    """Build the API on the configured database (migrated first when PAYMENTS_MIGRATE_ON_START is true)."""
    bootstrap.prepare_database()
    return create_service_app(
        service="payments", settings=bootstrap.settings(), engine=bootstrap.engine(),
        routers=[grants.router, tranches.router, ledger.router], description=DESCRIPTION,
    )  # fmt: skip
