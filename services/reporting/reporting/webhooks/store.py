"""The sender's reads and writes: claim due deliveries (a lease, so replicas never send one twice at once), record
each attempt and what follows from it (delivered, retried later, given up; the endpoint disabled after a day of
failures)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.clock import as_utc
from reporting.adapters.orm_webhooks import WebhookAttempt, WebhookDelivery, WebhookSubscription
from reporting.domain.webhook_delivery import status_after
from reporting.webhooks import schedule


@dataclass(frozen=True)
class Due:
    """A delivery to send now: its id, body, endpoint and the secrets to sign with."""

    id: str
    subscription_id: str
    body: str
    url: str
    secrets: list[str]


@dataclass(frozen=True)
class Result:
    """One attempt's outcome: the status code (None when no answer) or the error, and how long it took."""

    delivery: Due
    status_code: int | None
    latency_ms: int
    error: str | None = None

    @property
    def ok(self) -> bool:
        """A 2xx answer: delivered."""
        return self.status_code is not None and 200 <= self.status_code < 300


def active_secrets(subscription: WebhookSubscription, now: datetime) -> list[str]:
    """The secrets that sign now: the current one, and the previous one during its overlap."""
    until = subscription.previous_secret_until
    if subscription.previous_secret and until and as_utc(until) > now:
        return [subscription.secret, subscription.previous_secret]
    return [subscription.secret]


def claim_due(sessions: sessionmaker[Session], now: datetime, limit: int, lease: timedelta) -> list[Due]:
    """Lease up to `limit` pending deliveries that are due, to enabled subscriptions, oldest first."""
    with sessions() as session:
        rows = session.execute(
            select(WebhookDelivery, WebhookSubscription)
            .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
            .where(
                WebhookDelivery.status == "pending",
                WebhookDelivery.next_attempt_at <= now,
                or_(WebhookDelivery.lease_until.is_(None), WebhookDelivery.lease_until < now),
                WebhookSubscription.enabled.is_(True),
            )
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.occurred_at)
            .limit(limit)
        ).all()
        claimed = [
            Due(d.id, s.id, d.body, s.url, active_secrets(s, now)) for d, s in rows if _lease(session, d, now, lease)
        ]
        session.commit()
    return claimed


def _lease(session: Session, delivery: WebhookDelivery, now: datetime, lease: timedelta) -> bool:
    taken = session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery.id,
            WebhookDelivery.status == "pending",
            or_(WebhookDelivery.lease_until.is_(None), WebhookDelivery.lease_until < now),
        )
        .values(lease_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    return bool(taken.rowcount)  # type: ignore[attr-defined]


def record(sessions: sessionmaker[Session], results: list[Result], now: datetime, disable_after: timedelta) -> None:
    """Record each attempt and move its delivery and subscription on, in one transaction."""
    with sessions() as session:
        for result in results:
            _record_one(session, result, now, disable_after)
        session.commit()


def _record_one(session: Session, result: Result, now: datetime, disable_after: timedelta) -> None:
    delivery = session.get(WebhookDelivery, result.delivery.id)
    subscription = session.get(WebhookSubscription, result.delivery.subscription_id)
    if delivery is None or subscription is None:  # deleted meanwhile
        return
    session.add(
        WebhookAttempt(
            delivery_id=delivery.id,
            attempted_at=now,
            status_code=result.status_code,
            latency_ms=result.latency_ms,
            error=(result.error or "")[:500] or None,
        )
    )
    delivery.attempts += 1
    delivery.lease_until = None
    delivery.first_attempt_at = delivery.first_attempt_at or now
    given_up = not result.ok and schedule.given_up(as_utc(delivery.first_attempt_at), now)
    delivery.status = status_after(result.ok, given_up)  # this module applies what the domain decides
    if result.ok:
        delivery.delivered_at = now
        subscription.failing_since = None
        return
    if not given_up:
        delivery.next_attempt_at = schedule.next_attempt(delivery.attempts, now)
    subscription.failing_since = subscription.failing_since or now
    if subscription.enabled and now - as_utc(subscription.failing_since) >= disable_after:
        subscription.enabled = False
        subscription.disabled_reason = f"every attempt failed for {disable_after}; last: {_describe(result)}"
        subscription.updated_at = now


def _describe(result: Result) -> str:
    return f"HTTP {result.status_code}" if result.status_code is not None else (result.error or "no answer")
