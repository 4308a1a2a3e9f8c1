"""The event feed: every event once across pages, oldest first, filtered by type, forged entries left out, the
same CloudEvents webhooks carry; operators and integrators only."""

import json
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient

from grants_shared.auth import Role
from grants_shared.events import GrantAwarded
from reporting.webhooks.cloudevent import body_text, cloud_event
from tests.support.consuming import publish, publish_raw, signed_frame

from ..conftest import APPLICANT, ASSESSOR, OPERATOR, auth, problem
from ..story import Story
from .life import grant_life

CRM = auth(Role.INTEGRATOR, subject="crm-bot", organisation_id="org-crm")


@pytest.fixture
def feed(client: TestClient, redis_url: str) -> TestClient:
    redis.Redis.from_url(redis_url).flushdb()
    return client


def pages(client: TestClient, query: str = "", limit: int = 7) -> tuple[list[dict[str, Any]], str]:
    items, after = [], ""
    while True:
        response = client.get(f"/events?limit={limit}&after={after}{query}", headers=CRM)
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        after = body["next"]
        if not body["has_more"]:
            return items, after


def test_pages_give_every_event_once_in_order_and_the_cursor_picks_up_what_comes_later(
    feed: TestClient, redis_url: str
) -> None:
    first, second = Story(n=1), Story(n=2)
    life = grant_life(first)
    for envelope in life:
        publish(redis_url, envelope)
    items, cursor = pages(feed)
    assert [i["id"] for i in items] == [e.event_id for e in life]  # one grant's life, in the order it happened
    assert items[4] == cloud_event(life[4].model_dump(mode="json"))
    webhook_bytes = body_text(life[4].model_dump(mode="json"))  # what a webhook of this event carries
    assert json.dumps(items[4], separators=(",", ":"), sort_keys=True) == webhook_bytes
    later = grant_life(second)
    for envelope in later:
        publish(redis_url, envelope)
    more = feed.get(f"/events?after={cursor}&limit=1000", headers=CRM).json()
    assert [i["id"] for i in more["items"]] == [e.event_id for e in later] and more["has_more"] is False


def test_types_filter_and_forged_entries_are_left_out(feed: TestClient, redis_url: str) -> None:
    stories = [Story(n=n) for n in range(1, 4)]
    for story in stories:
        for envelope in grant_life(story):
            publish(redis_url, envelope)
    forged = Story(n=9).awarded()
    frame = signed_frame(forged).replace(forged.payload.grant_id, "grant-forged")  # the signature no longer fits
    publish_raw(redis_url, GrantAwarded.stream(), frame)
    items, _ = pages(feed, "&types=grant-awarded,grant-completed", limit=2)
    assert sorted(i["type"].split(".")[-2] for i in items) == ["grant-awarded"] * 3 + ["grant-completed"] * 3
    assert "grant-forged" not in str(items)


@pytest.mark.parametrize(
    "query", ["after=not-a-cursor", "after=eyJ4IjoxfQ==", "types=grant-awarded,nope", "limit=0", "limit=5000"]
)
def test_bad_queries_are_422(feed: TestClient, query: str) -> None:
    problem(feed.get(f"/events?{query}", headers=CRM), 422)


def test_only_integrators_and_operators_read_the_feed(feed: TestClient) -> None:
    assert feed.get("/events", headers=OPERATOR).status_code == 200
    for headers in (APPLICANT, ASSESSOR):
        problem(feed.get("/events", headers=headers), 403)
    problem(feed.get("/events"), 401)
