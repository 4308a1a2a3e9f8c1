"""The webhooks consumer group: each committed event becomes a delivery row per matching subscription.

The rows are written in the transaction that records the event in the group's inbox (an outbox of deliveries):
a webhook is never owed for an event that was not committed, and a crash before the commit loses nothing, as the
event stays pending on its stream and is read again.
"""

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from grants_shared.events import ALL_EVENTS, Envelope, Event, GrantAwarded
from grants_shared.uow import UnitOfWork, defer, transaction_cache
from reporting.adapters.orm_webhooks import WebhookDelivery, WebhookGrantScope, WebhookSubscription
from reporting.webhooks.cloudevent import body_text
from reporting.webhooks.filters import Filter, Scope

GROUP = "reporting-webhooks"
SUBSCRIPTIONS = "webhook-subscriptions"
SCOPES = "webhook-grant-scope"
INSERT_DELIVERY = insert(WebhookDelivery)  # one statement object: deferred rows go in one executemany


def delivery_id() -> str:
    """A new webhook-id."""
    return f"msg_{uuid.uuid4().hex}"


def subscriptions(session: Session) -> list[tuple[str, Filter]]:
    """Every subscription's id and filter, read once per transaction (disabled ones too: they catch up later)."""
    cache = transaction_cache(session)
    if SUBSCRIPTIONS not in cache:
        rows = session.execute(
            select(
                WebhookSubscription.id,
                WebhookSubscription.event_types,
                WebhookSubscription.round_ids,
                WebhookSubscription.neighbourhood_codes,
            )
        ).all()
        cache[SUBSCRIPTIONS] = [(r[0], Filter(tuple(r[1]), tuple(r[2]), tuple(r[3]))) for r in rows]
    found: list[tuple[str, Filter]] = cache[SUBSCRIPTIONS]
    return found


def remember_scope(session: Session, award: GrantAwarded) -> None:
    """Keep the round and ward of an awarded grant: later events about it carry only its id."""
    row = WebhookGrantScope(
        grant_id=award.grant_id, round_id=award.round_id, neighbourhood_code=award.neighbourhood_code
    )
    session.merge(row)
    transaction_cache(session)[(SCOPES, award.grant_id)] = Scope(award.round_id, award.neighbourhood_code)


def _grant_scope(session: Session, grant_id: str) -> Scope | None:
    cache = transaction_cache(session)
    if (SCOPES, grant_id) not in cache:
        row = session.get(WebhookGrantScope, grant_id)
        cache[(SCOPES, grant_id)] = Scope(row.round_id, row.neighbourhood_code) if row else None
    found: Scope | None = cache[(SCOPES, grant_id)]
    return found


def scope_of(envelope: Envelope[Any], session: Session) -> Scope:
    """The event's round and neighbourhood: its own, or those its grant was awarded in."""
    fields = vars(envelope.payload)
    grant_id = fields.get("grant_id")
    if isinstance(grant_id, str) and (known := _grant_scope(session, grant_id)):
        return known
    return Scope(_text(fields.get("round_id")), _text(fields.get("neighbourhood_code")) or _need_code(fields))


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _need_code(fields: dict[str, object]) -> str | None:
    """An assessment's neighbourhood (its need record's code)."""
    need = fields.get("neighbourhood")
    return _text(getattr(need, "code", None)) if need is not None else None


def fan_out(envelope: Envelope[Any], uow: UnitOfWork) -> None:
    """Owe the event to every subscription that wants it."""
    session = uow.session
    if isinstance(envelope.payload, GrantAwarded):
        remember_scope(session, envelope.payload)
    wanting = [(sid, rule) for sid, rule in subscriptions(session) if rule.wants_type(envelope.event_type)]
    if not wanting:
        return
    scope = scope_of(envelope, session) if any(rule.scoped for _, rule in wanting) else Scope()
    matched = [sid for sid, rule in wanting if rule.wants(envelope.event_type, scope)]
    if not matched:
        return
    body, now = body_text(envelope.model_dump(mode="json")), datetime.now(UTC)
    for subscription_id in matched:
        defer(
            session,
            INSERT_DELIVERY,
            {
                "id": delivery_id(),
                "subscription_id": subscription_id,
                "event_id": envelope.event_id,
                "event_type": envelope.event_type,
                "occurred_at": envelope.occurred_at,
                "body": body,
                "replay_id": "",
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            },
        )


def routes() -> list[tuple[type[Event], Callable[[Envelope[Any], UnitOfWork], None]]]:
    """Every event of every service (reporting's own included) into `fan_out`."""
    return [(event, fan_out) for event in ALL_EVENTS]
