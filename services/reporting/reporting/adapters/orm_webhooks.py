"""The webhook tables: integrators' subscriptions, the deliveries owed to them (an outbox), and every attempt."""

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from reporting.adapters.orm import Base

Stamp = DateTime(timezone=True)


class WebhookSubscription(Base):
    """An endpoint an integrator registered, the events it wants, and the secrets deliveries are signed with."""

    __tablename__ = "webhook_subscriptions"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    owner: Mapped[str] = mapped_column(String(200), index=True)  # the integrator's organisation (else subject)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(500), default="")
    event_types: Mapped[list[str]] = mapped_column(JSON)  # empty: every type
    round_ids: Mapped[list[str]] = mapped_column(JSON)
    neighbourhood_codes: Mapped[list[str]] = mapped_column(JSON)
    secret: Mapped[str] = mapped_column(String(200))
    previous_secret: Mapped[str | None] = mapped_column(String(200), nullable=True)
    previous_secret_until: Mapped[datetime | None] = mapped_column(Stamp, nullable=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    failing_since: Mapped[datetime | None] = mapped_column(Stamp, nullable=True)
    created_at: Mapped[datetime] = mapped_column(Stamp)
    updated_at: Mapped[datetime] = mapped_column(Stamp)


class WebhookDelivery(Base):
    """One event owed to one subscription: written in the transaction that consumed the event, sent later."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id", "replay_id", name="uq_webhook_delivery_once"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_sub_time", "subscription_id", "occurred_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # the webhook-id header: stable across retries
    subscription_id: Mapped[str] = mapped_column(ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(36))
    event_type: Mapped[str] = mapped_column(String(100))
    occurred_at: Mapped[datetime] = mapped_column(Stamp)
    body: Mapped[str] = mapped_column(Text)
    replay_id: Mapped[str] = mapped_column(String(40), default="")  # "" for an event's first delivery
    status: Mapped[str] = mapped_column(String(20))  # pending | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(Stamp)
    lease_until: Mapped[datetime | None] = mapped_column(Stamp, nullable=True)
    created_at: Mapped[datetime] = mapped_column(Stamp)
    first_attempt_at: Mapped[datetime | None] = mapped_column(Stamp, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(Stamp, nullable=True)


class WebhookAttempt(Base):
    """One POST of a delivery: when, the status code or the error, and how long it took."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    delivery_id: Mapped[str] = mapped_column(ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True)
    attempted_at: Mapped[datetime] = mapped_column(Stamp)
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    latency_ms: Mapped[int] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(500), nullable=True)


class WebhookGrantScope(Base):
    """The round and neighbourhood of a grant, so events that carry only the grant id can be filtered by them."""

    __tablename__ = "webhook_grant_scope"

    grant_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    round_id: Mapped[str] = mapped_column(String(100))
    neighbourhood_code: Mapped[str] = mapped_column(String(50))
