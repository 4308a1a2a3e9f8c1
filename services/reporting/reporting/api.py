"""The reporting API: impact reports, the fund position, grant timelines and the operator dashboard."""

from fastapi import FastAPI

from grants_shared.http.app import create_service_app
from reporting import bootstrap
from reporting.read.metrics import expose_fund_metrics, expose_pipeline_metrics
from reporting.read.report_metrics import expose_report_metrics
from reporting.routes import dashboard, events_feed, fund, obligations, outcomes, public, publication, reports, webhooks
from reporting.webhooks.metrics import expose_webhook_metrics

DESCRIPTION = (
    "Impact report intake and review, and read models of the whole platform built from every event: "
    "the fund position (integer pence), the least-first share, grant timelines, outcomes and an operator dashboard."
)


def create_app() -> FastAPI:
    """The uvicorn factory: `uvicorn reporting.api:create_app --factory --port 8004`."""
    bootstrap.runtime.migrate_on_start()
    app = create_service_app(
        service="reporting",
        settings=bootstrap.settings(),
        engine=bootstrap.engine(),
        routers=[
            reports.router,
            fund.router,
            dashboard.router,
            outcomes.router,
            publication.router,
            public.router,
            webhooks.router,
            events_feed.router,
            obligations.router,
        ],
        description=DESCRIPTION,
    )
    expose_fund_metrics(app.state.engine)
    expose_pipeline_metrics(app.state.settings.redis_url)
    expose_report_metrics(app.state.engine, app.state.settings.report_reminder_days)
    expose_webhook_metrics(app.state.engine)
    return app
