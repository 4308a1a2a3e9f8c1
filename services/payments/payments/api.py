"""The payments HTTP API: `uvicorn payments.api:create_app --factory --port 8003`."""

from fastapi import FastAPI

from grants_shared.http.app import create_service_app
from payments import bootstrap
from payments.read.alert_metrics import expose_payments_metrics
from payments.routes import fund, grant_actions, grants, ledger, tranches

DESCRIPTION = (
    "Tranche schedules, release conditions and holds, maker-checker approvals, variations and early closure, "
    "payment instructions to the payment provider, the double-entry ledger with its invariants, and reconciliation "
    "against the provider's settlement report. Amounts are integer pence."
)


def create_app() -> FastAPI:
    """Build the API on the configured database (migrated first when PAYMENTS_MIGRATE_ON_START is true)."""
    bootstrap.policy()  # a malformed policy document stops the API here, not at the first release
    bootstrap.runtime.migrate_on_start()
    app = create_service_app(
        service="payments",
        settings=bootstrap.settings(),
        engine=bootstrap.engine(),
        routers=[grants.router, grant_actions.router, tranches.router, ledger.router, fund.router],
        description=DESCRIPTION,
    )
    expose_payments_metrics(app.state.engine)
    return app
