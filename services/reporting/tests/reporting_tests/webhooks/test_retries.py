"""Retries as data: full jitter within each step, given up after a day; an endpoint failing for a day is disabled;
two senders never lease the same delivery at once."""

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from reporting.adapters.orm_webhooks import WebhookAttempt, WebhookDelivery, WebhookSubscription
from reporting.webhooks import schedule, store
from reporting.webhooks.fanout import delivery_id

from .life import subscribe

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def owe(sessions: sessionmaker[Session], subscription_id: str, n: int) -> list[str]:
    ids = [delivery_id() for _ in range(n)]
    with sessions() as session:
        for i, did in enumerate(ids):
            session.add(
                WebhookDelivery(
                    id=did,
                    subscription_id=subscription_id,
                    event_id=f"e-{i}",
                    event_type="grant-awarded",
                    occurred_at=T0,
                    body="{}",
                    replay_id="",
                    status="pending",
                    attempts=0,
                    next_attempt_at=T0,
                    created_at=T0,
                )
            )
        session.commit()
    return ids


def failure(due: store.Due) -> store.Result:
    return store.Result(due, 503, 12)


def test_each_wait_falls_within_its_step_and_the_steps_cover_a_day() -> None:
    rng = random.Random(7)
    for failures, bound in enumerate(schedule.RETRY_STEPS_S, start=1):
        waits = [(schedule.next_attempt(failures, T0, rng) - T0).total_seconds() for _ in range(200)]
        assert all(0 <= w <= bound for w in waits) and max(waits) > bound / 2  # spread over the window
    assert (schedule.next_attempt(50, T0, rng) - T0).total_seconds() <= schedule.RETRY_STEPS_S[-1]
    assert sum(schedule.RETRY_STEPS_S) + schedule.RETRY_STEPS_S[-1] >= DAY.total_seconds()


def test_a_delivery_failing_for_a_day_is_given_up_and_its_endpoint_disabled_with_every_attempt_kept(
    sessions: sessionmaker[Session],
) -> None:
    subscription_id = subscribe(sessions, "org-crm")
    [only] = owe(sessions, subscription_id, 1)
    moments = [T0, T0 + timedelta(hours=2), T0 + timedelta(hours=12), T0 + DAY - timedelta(seconds=1), T0 + DAY]
    for now in moments:
        [due] = store.claim_due(sessions, now + timedelta(days=2), 10, timedelta(minutes=1))  # due by then
        store.record(sessions, [failure(due)], now, DAY)
        with sessions() as session:
            delivery = session.get(WebhookDelivery, only)
            subscription = session.get(WebhookSubscription, subscription_id)
            assert delivery is not None and subscription is not None
            if now < T0 + DAY:
                assert delivery.status == "pending" and subscription.enabled
            if now == T0 + DAY:
                assert delivery.status == "failed" and not subscription.enabled
                assert subscription.disabled_reason and "HTTP 503" in subscription.disabled_reason
                break
    with sessions() as session:
        kept = list(session.scalars(select(WebhookAttempt).where(WebhookAttempt.delivery_id == only)))
    assert [a.status_code for a in kept] == [503] * len(moments)


def test_a_success_ends_the_failure_streak(sessions: sessionmaker[Session]) -> None:
    subscription_id = subscribe(sessions, "org-crm")
    first, second = owe(sessions, subscription_id, 2)
    claimed = {d.id: d for d in store.claim_due(sessions, T0, 10, timedelta(minutes=1))}
    store.record(sessions, [failure(claimed[first])], T0, DAY)
    store.record(sessions, [store.Result(claimed[second], 204, 8)], T0 + timedelta(hours=23), DAY)
    with sessions() as session:
        subscription = session.get(WebhookSubscription, subscription_id)
        assert subscription is not None and subscription.failing_since is None and subscription.enabled
        assert session.get(WebhookDelivery, second).status == "delivered"  # type: ignore[union-attr]


def test_two_senders_never_lease_the_same_delivery_and_a_lapsed_lease_is_taken_again(
    sessions: sessionmaker[Session],
) -> None:
    subscription_id = subscribe(sessions, "org-crm")
    owed = owe(sessions, subscription_id, 30)
    lease = timedelta(minutes=2)
    one = store.claim_due(sessions, T0, 20, lease)
    two = store.claim_due(sessions, T0, 20, lease)
    assert len(one) == 20 and len(two) == 10 and {d.id for d in one}.isdisjoint(d.id for d in two)
    assert store.claim_due(sessions, T0 + timedelta(minutes=1), 50, lease) == []
    assert sorted(d.id for d in store.claim_due(sessions, T0 + lease + timedelta(seconds=1), 50, lease)) == sorted(owed)


def test_a_disabled_endpoint_is_not_sent_to(sessions: sessionmaker[Session]) -> None:
    subscription_id = subscribe(sessions, "org-crm")
    owe(sessions, subscription_id, 3)
    with sessions() as session:
        session.get(WebhookSubscription, subscription_id).enabled = False  # type: ignore[union-attr]
        session.commit()
    assert store.claim_due(sessions, T0, 10, timedelta(minutes=1)) == []
