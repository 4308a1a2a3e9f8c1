"""Webhook subscriptions of integrators: register, list, change, re-enable, rotate, delete, replay, deliveries."""

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from grants_shared.auth import Principal, Role, require
from grants_shared.http.app import ReadSession, Sessions
from grants_shared.http.problems import API_PROBLEMS
from grants_shared.http.query import StrictQuery
from reporting.adapters.orm_webhooks import WebhookAttempt, WebhookDelivery, WebhookSubscription
from reporting.webhooks import manage, ssrf
from reporting.webhooks.running import policy_of
from reporting.webhooks.schemas import (
    AttemptOut,
    DeliveryOut,
    DeliveryPage,
    ReplayIn,
    ReplayOut,
    RotateIn,
    SubscriptionIn,
    SubscriptionOut,
    SubscriptionPage,
    SubscriptionPatch,
)

router = APIRouter(prefix="/webhooks", tags=["webhooks"], responses=API_PROBLEMS, dependencies=StrictQuery)
Integrator = Annotated[Principal, Depends(require(Role.INTEGRATOR))]
SubscriptionId = Annotated[str, Path(min_length=1, max_length=40)]
T = TypeVar("T")


def view(subscription: WebhookSubscription, *, secret: bool = False) -> SubscriptionOut:
    """The subscription as its owner sees it; the secret only when asked (made or rotated)."""
    fields = {name: getattr(subscription, name) for name in SubscriptionOut.model_fields if name != "secret"}
    return SubscriptionOut(**fields, secret=subscription.secret if secret else None)


def _checker(request: Request) -> Callable[[str], str]:
    resolver: ssrf.Resolver = getattr(request.app.state, "webhook_resolver", ssrf.system_resolver)
    policy = policy_of(request.app.state.settings)
    return lambda url: manage.checked_url(url, policy, resolver)


def _write(sessions: Any, work: Callable[[Session], T]) -> T:
    with sessions() as session:
        result = work(session)
        session.commit()
        return result


@router.post("/subscriptions", status_code=201, response_model=SubscriptionOut, summary="Subscribe an endpoint")
def subscribe(request: Request, body: SubscriptionIn, sessions: Sessions, principal: Integrator) -> SubscriptionOut:
    """Register an endpoint (checked against SSRF rules now and before every delivery); the secret is shown once."""
    _checker(request)(body.url)
    return _write(sessions, lambda s: view(manage.create(s, principal, body), secret=True))


@router.get("/subscriptions", response_model=SubscriptionPage, summary="Your subscriptions")
def list_subscriptions(principal: Integrator, session: ReadSession) -> SubscriptionPage:
    """Every subscription of your organisation."""
    return SubscriptionPage(items=[view(s) for s in manage.list_owned(session, principal)])


@router.get("/subscriptions/{subscription_id}", response_model=SubscriptionOut, summary="One subscription")
def read(subscription_id: SubscriptionId, principal: Integrator, session: ReadSession) -> SubscriptionOut:
    """One of your subscriptions (404 for anyone else's)."""
    return view(manage.owned(session, principal, subscription_id))


@router.patch("/subscriptions/{subscription_id}", response_model=SubscriptionOut, summary="Change or re-enable")
def patch(
    request: Request,
    subscription_id: SubscriptionId,
    body: SubscriptionPatch,
    sessions: Sessions,
    principal: Integrator,
) -> SubscriptionOut:
    """Replace the fields given; `{"enabled": true}` re-enables an endpoint disabled after failing."""
    if body.url is not None:
        _checker(request)(body.url)

    def work(session: Session) -> SubscriptionOut:
        subscription = manage.owned(session, principal, subscription_id)
        manage.change(subscription, body)
        return view(subscription)

    return _write(sessions, work)


@router.delete("/subscriptions/{subscription_id}", status_code=204, summary="Unsubscribe")
def unsubscribe(subscription_id: SubscriptionId, sessions: Sessions, principal: Integrator) -> Response:
    """Delete the subscription and what is owed to it."""
    _write(sessions, lambda s: manage.remove(s, manage.owned(s, principal, subscription_id)))
    return Response(status_code=204)


@router.post("/subscriptions/{subscription_id}/rotate-secret", response_model=SubscriptionOut, summary="New secret")
def rotate_secret(
    subscription_id: SubscriptionId, sessions: Sessions, principal: Integrator, body: RotateIn | None = None
) -> SubscriptionOut:
    """A new secret (shown once); the old one also signs every delivery until `previous_secret_until`."""

    def work(session: Session) -> SubscriptionOut:
        subscription = manage.owned(session, principal, subscription_id)
        manage.rotate(subscription, (body or RotateIn()).overlap_s)
        return view(subscription, secret=True)

    return _write(sessions, work)


@router.post("/subscriptions/{subscription_id}/replay", status_code=202, response_model=ReplayOut, summary="Replay")
def replay(subscription_id: SubscriptionId, body: ReplayIn, sessions: Sessions, principal: Integrator) -> ReplayOut:
    """Send again one delivery, or every event delivered for a time range, under new webhook-ids."""

    def work(session: Session) -> ReplayOut:
        replay_id, count = manage.replay(session, manage.owned(session, principal, subscription_id), body)
        return ReplayOut(replay_id=replay_id, deliveries=count)

    return _write(sessions, work)


@router.get("/subscriptions/{subscription_id}/deliveries", response_model=DeliveryPage, summary="Deliveries")
def deliveries(
    subscription_id: SubscriptionId,
    principal: Integrator,
    session: ReadSession,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> DeliveryPage:
    """The latest deliveries, newest first, each with every attempt (status code, latency, error)."""
    manage.owned(session, principal, subscription_id)
    rows = list(
        session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.subscription_id == subscription_id)
            .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.occurred_at.desc())
            .limit(limit)
        )
    )
    attempts = _attempts(session, [d.id for d in rows])
    return DeliveryPage(items=[_delivery(d, attempts.get(d.id, [])) for d in rows])


def _attempts(session: Session, ids: list[str]) -> dict[str, list[AttemptOut]]:
    found: dict[str, list[AttemptOut]] = {}
    query = select(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(ids)).order_by(WebhookAttempt.id)
    for attempt in session.scalars(query):
        found.setdefault(attempt.delivery_id, []).append(AttemptOut.model_validate(attempt, from_attributes=True))
    return found


def _delivery(row: WebhookDelivery, attempts: list[AttemptOut]) -> DeliveryOut:
    return DeliveryOut(
        id=row.id,
        event_id=row.event_id,
        event_type=row.event_type,
        occurred_at=row.occurred_at,
        replay_id=row.replay_id,
        status=row.status,
        attempts=attempts,
        next_attempt_at=row.next_attempt_at if row.status == "pending" else None,
    )
