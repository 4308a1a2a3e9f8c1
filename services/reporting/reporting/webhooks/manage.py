"""Subscriptions managed by their owners: create, change, re-enable, rotate the secret, delete, replay."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from grants_shared.auth import Principal
from grants_shared.errors import Invalid, NotFound
from reporting.adapters.orm_webhooks import WebhookAttempt, WebhookDelivery, WebhookSubscription
from reporting.webhooks import signature, ssrf
from reporting.webhooks.fanout import delivery_id
from reporting.webhooks.schemas import ReplayIn, SubscriptionIn, SubscriptionPatch

MAX_REPLAY = 100_000


class SubscriptionNotFound(NotFound):
    """No subscription with that id that is the caller's (404): unknown and another's answer alike."""

    default_code = "subscription-not-found"
    default_title = "No such subscription"


class UnsafeEndpointRefused(Invalid):
    """The endpoint's address is not one deliveries may go to (422)."""

    default_code = "unsafe-endpoint"
    default_title = "The endpoint may not receive webhooks"


def owner_of(principal: Principal) -> str:
    """Whose subscriptions these are: the integrator's organisation, else its own subject."""
    return f"org:{principal.organisation_id}" if principal.organisation_id else f"sub:{principal.subject}"


def checked_url(url: str, policy: ssrf.Policy, resolver: ssrf.Resolver) -> str:
    """The URL if its host resolves only to addresses deliveries may go to; else a 422."""
    try:
        ssrf.check_now(url, policy, resolver)
    except ssrf.UnsafeEndpoint as refused:
        raise UnsafeEndpointRefused(str(refused)) from None
    return url


def owned(session: Session, principal: Principal, subscription_id: str) -> WebhookSubscription:
    """The caller's subscription, or 404."""
    found = session.get(WebhookSubscription, subscription_id)
    if found is None or found.owner != owner_of(principal):
        raise SubscriptionNotFound(f"There is no subscription {subscription_id} that is yours.")
    return found


def list_owned(session: Session, principal: Principal) -> list[WebhookSubscription]:
    """The caller's subscriptions, oldest first."""
    query = select(WebhookSubscription).where(WebhookSubscription.owner == owner_of(principal))
    return list(session.scalars(query.order_by(WebhookSubscription.created_at)))


def create(session: Session, principal: Principal, body: SubscriptionIn) -> WebhookSubscription:
    """A new subscription with a fresh secret."""
    now = datetime.now(UTC)
    subscription = WebhookSubscription(
        id=f"sub_{uuid.uuid4().hex}",
        owner=owner_of(principal),
        url=body.url,
        description=body.description or "",
        event_types=body.event_types,
        round_ids=body.round_ids,
        neighbourhood_codes=body.neighbourhood_codes,
        secret=signature.new_secret(),
        enabled=True,
        created_at=now,
        updated_at=now,
    )
    session.add(subscription)
    return subscription


def change(subscription: WebhookSubscription, patch: SubscriptionPatch) -> None:
    """Apply the fields given; enabling clears the reason it was disabled and the failure streak."""
    for name, value in patch.model_dump(exclude_unset=True, exclude={"enabled"}).items():
        setattr(subscription, name, sorted(set(value)) if isinstance(value, list) else value)
    if patch.enabled is not None:
        subscription.enabled = patch.enabled
        subscription.disabled_reason = None if patch.enabled else "disabled by its owner"
        subscription.failing_since = None
    subscription.updated_at = datetime.now(UTC)


def rotate(subscription: WebhookSubscription, overlap_s: int) -> None:
    """A new secret; the old one keeps signing too for `overlap_s` seconds."""
    now = datetime.now(UTC)
    subscription.previous_secret = subscription.secret if overlap_s else None
    subscription.previous_secret_until = now + timedelta(seconds=overlap_s) if overlap_s else None
    subscription.secret = signature.new_secret()
    subscription.updated_at = now


def remove(session: Session, subscription: WebhookSubscription) -> None:
    """Delete a subscription with its deliveries and their attempts."""
    deliveries = select(WebhookDelivery.id).where(WebhookDelivery.subscription_id == subscription.id)
    session.execute(delete(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(deliveries)))
    session.execute(delete(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription.id))
    session.delete(subscription)


def replay(session: Session, subscription: WebhookSubscription, body: ReplayIn) -> tuple[str, int]:
    """Owe again, under new webhook-ids, one delivery or every first delivery of events in [since, until)."""
    originals = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription.id)
    if body.delivery_id:
        originals = originals.where(WebhookDelivery.id == body.delivery_id)
    else:
        originals = originals.where(
            WebhookDelivery.replay_id == "",
            WebhookDelivery.occurred_at >= body.since,
            WebhookDelivery.occurred_at < body.until,
        )
    found = list(session.scalars(originals.order_by(WebhookDelivery.occurred_at).limit(MAX_REPLAY + 1)))
    if body.delivery_id and not found:
        raise NotFound(f"There is no delivery {body.delivery_id} of this subscription.", code="delivery-not-found")
    if len(found) > MAX_REPLAY:
        raise Invalid(f"more than {MAX_REPLAY} deliveries in that range: replay a shorter one", code="replay-too-large")
    replay_id, now = f"rpl_{uuid.uuid4().hex}", datetime.now(UTC)
    rows = [_again(original, replay_id, now) for original in found]
    if rows:
        session.execute(insert(WebhookDelivery), rows)
    return replay_id, len(rows)


def _again(original: WebhookDelivery, replay_id: str, now: datetime) -> dict[str, Any]:
    return {
        "id": delivery_id(),
        "subscription_id": original.subscription_id,
        "event_id": original.event_id,
        "event_type": original.event_type,
        "occurred_at": original.occurred_at,
        "body": original.body,
        "replay_id": replay_id,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }
