"""A grant's whole life as events, a subscription to it, and what the webhook tables say."""

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.auth import Principal, Role
from grants_shared.events import Envelope
from reporting.adapters.orm_webhooks import WebhookAttempt, WebhookDelivery
from reporting.webhooks import manage
from reporting.webhooks.schemas import SubscriptionIn

from ..story import Story

INTEGRATOR = Principal(subject="crm-bot", roles=frozenset({Role.INTEGRATOR}), organisation_id="org-crm")


def grant_life(story: Story) -> list[Envelope[Any]]:
    """From the round opening to the grant's completion: every tranche scheduled, released, instructed, settled."""
    events = [story.round_opened(), *story.up_to_award()]
    for number in range(1, story.tranches + 1):
        events += story.paid_tranche(number, date(2026, 1, 1) + timedelta(days=90 * number))
    return [*events, story.completed()]


def subscribe_at(sessions: sessionmaker[Session], url: str, **filters: Any) -> tuple[str, str]:
    """A subscription of the integrator's; its id and secret."""
    with sessions() as session:
        created = manage.create(session, INTEGRATOR, SubscriptionIn(url=url, **filters))
        session.commit()
        return created.id, created.secret


def subscribe(sessions: sessionmaker[Session], organisation_id: str) -> str:
    """A subscription of an organisation's integrator (to a public address); its id."""
    principal = Principal(
        subject=f"bot-{organisation_id}", roles=frozenset({Role.INTEGRATOR}), organisation_id=organisation_id
    )
    with sessions() as session:
        created = manage.create(session, principal, SubscriptionIn(url="https://93.184.215.14/hooks"))
        session.commit()
        return created.id


def delivery_counts(sessions: sessionmaker[Session]) -> dict[str, int]:
    """How many deliveries are in each status."""
    with sessions() as session:
        rows = session.execute(select(WebhookDelivery.status, func.count()).group_by(WebhookDelivery.status)).all()
        return {str(status): int(count) for status, count in rows}


def attempts(sessions: sessionmaker[Session]) -> list[WebhookAttempt]:
    """Every attempt recorded."""
    with sessions() as session:
        return list(session.scalars(select(WebhookAttempt)))


WEBHOOK_BODIES: dict[str, Any] = {
    "POST /webhooks/subscriptions": {"url": "https://93.184.215.14/hooks", "event_types": ["grant-awarded"]},
    "PATCH /webhooks/subscriptions/{sub}": {"description": "changed"},
    "POST /webhooks/subscriptions/{sub}/rotate-secret": {"overlap_s": 60},
    "POST /webhooks/subscriptions/{sub}/replay": {"since": "2026-01-01T00:00:00Z", "until": "2026-02-01T00:00:00Z"},
}
"""The authorisation matrix's bodies of the webhook routes (a literal public address: nothing is looked up)."""
