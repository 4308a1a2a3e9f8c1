"""The HTTP event feed for integrators who poll: `GET /events?after=CURSOR&types=...&limit=`."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from redis import Redis

from grants_shared.auth import Principal, Role, require
from grants_shared.delivery.redis_client import sync_client
from grants_shared.errors import Invalid
from grants_shared.event_keys import keyring_of
from grants_shared.http.problems import API_PROBLEMS
from grants_shared.http.query import StrictQuery
from grants_shared.signing import Keyring
from reporting.webhooks import feed
from reporting.webhooks.filters import EVENT_TYPES

router = APIRouter(tags=["events"], responses=API_PROBLEMS, dependencies=StrictQuery)
Reader = Annotated[Principal, Depends(require(Role.INTEGRATOR, Role.OPERATOR))]


class EventPage(BaseModel):
    """Events oldest first (CloudEvents, the bodies webhooks carry) and the cursor of the next page."""

    items: list[dict[str, object]]
    next: str = Field(description="Pass as `after` for the events that follow (keep it even when items is empty).")
    has_more: bool


class BadFeedQuery(Invalid):
    """The cursor or an event type is not valid (422)."""

    default_code = "invalid-feed-query"
    default_title = "The feed query is not valid"


def _clients(request: Request) -> tuple[Redis, Keyring]:
    state = request.app.state
    if getattr(state, "feed_redis", None) is None:
        state.feed_redis = sync_client(state.settings.redis_url)
        state.feed_keyring = keyring_of(state.settings)
    return state.feed_redis, state.feed_keyring


@router.get("/events", response_model=EventPage, summary="The event feed")
def events(
    request: Request,
    _principal: Reader,
    after: Annotated[str | None, Query(max_length=8000, description="The `next` of the previous page.")] = None,
    types: Annotated[str | None, Query(max_length=2000, description="Comma-separated event types.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> EventPage:
    """Every platform event after the cursor, oldest first, optionally only some types (integrators see all)."""
    wanted = {t.strip() for t in types.split(",") if t.strip()} if types else None
    if wanted and (unknown := sorted(wanted - EVENT_TYPES)):
        raise BadFeedQuery(f"unknown event types {unknown}")
    try:
        cursor = feed.decode_cursor(after)
    except feed.BadCursor as error:
        raise BadFeedQuery(f"the cursor is not valid: {error}") from None
    redis, keyring = _clients(request)
    page = feed.read_page(redis, keyring, cursor, wanted, limit)
    return EventPage(items=page.items, next=page.cursor, has_more=page.has_more)
