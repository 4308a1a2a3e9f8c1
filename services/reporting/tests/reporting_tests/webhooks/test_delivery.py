"""The worker delivers a grant's whole life to a real receiver on loopback, each event once per webhook-id, every
signature verified; a replay re-sends a chosen range under new ids; a rotation's two secrets both verify."""

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from reporting.webhooks import manage
from reporting.webhooks.schemas import ReplayIn
from tests.support.consuming import eventually, publish

from ..story import Story
from .life import INTEGRATOR, attempts, delivery_counts, grant_life, subscribe_at
from .receiving import receiving

pytestmark = pytest.mark.anyio


def handled_event_ids(inbox: Any) -> list[str]:
    with inbox.lock:
        return [event["id"] for _, event in inbox.handled]


async def test_a_grants_life_arrives_once_per_webhook_id_signed_and_a_range_replays(
    running_worker: None, sessions: sessionmaker[Session], redis_url: str
) -> None:
    secrets: list[str] = []
    with receiving(secrets) as (inbox, url):
        subscription_id, secret = subscribe_at(sessions, url)
        secrets.append(secret)
        story = Story()
        life = grant_life(story)
        for envelope in life:
            publish(redis_url, envelope)
        wanted = [e.event_id for e in life]
        await eventually(lambda: sorted(handled_event_ids(inbox)) == sorted(wanted), what="every event delivered")
        await eventually(lambda: delivery_counts(sessions) == {"delivered": len(life)}, what="deliveries recorded")
        assert inbox.refused == 0 and inbox.repeats == 0
        by_id = {event["id"]: event for _, event in inbox.handled}
        for envelope in life:
            event = by_id[envelope.event_id]
            assert event["specversion"] == "1.0" and event["subject"] == envelope.subject
            assert event["type"] == f"uk.org.cwf.grants.{envelope.event_type}.v1"
            assert event["source"] == f"urn:cwf-grants:{envelope.producer}"
            assert event["data"] == envelope.payload.model_dump(mode="json")
        answered = [a for a in attempts(sessions) if a.status_code is not None]
        # one 200 per event; on a loaded machine an attempt may time out unanswered and be retried (at least once)
        assert {a.status_code for a in answered} == {200} and len(answered) == len(life)

        chosen = life[3:9]  # the award and the first tranche's events
        with sessions() as session:
            owned = manage.owned(session, INTEGRATOR, subscription_id)
            rotate_and_replay = ReplayIn(
                since=chosen[0].occurred_at, until=chosen[-1].occurred_at + timedelta(seconds=1)
            )
            manage.rotate(owned, overlap_s=3600)
            new_secret = owned.secret
            _, count = manage.replay(session, owned, rotate_and_replay)
            session.commit()
        assert count == len(chosen)
        secrets[:] = [new_secret]  # the receiver now knows only the new secret: the new signature must verify
        first_ids = {mid for mid, _ in inbox.handled}
        await eventually(lambda: len(handled_event_ids(inbox)) == len(life) + len(chosen), what="the replay")
        replayed = [(mid, event["id"]) for mid, event in inbox.handled if mid not in first_ids]
        assert sorted(eid for _, eid in replayed) == sorted(e.event_id for e in chosen)
        assert inbox.refused == 0
        secrets[:] = [secret]  # and the old one still signs during the overlap: replay one delivery again
        with sessions() as session:
            owned = manage.owned(session, INTEGRATOR, subscription_id)
            manage.replay(session, owned, ReplayIn(delivery_id=replayed[0][0]))
            session.commit()
        await eventually(lambda: len(handled_event_ids(inbox)) == len(life) + len(chosen) + 1, what="one replay")
        assert inbox.refused == 0 and handled_event_ids(inbox)[-1] == replayed[0][1]


async def test_filters_pick_types_and_neighbourhoods_and_a_refusing_endpoint_is_retried(
    running_worker: None, sessions: sessionmaker[Session], redis_url: str
) -> None:
    ours, theirs = Story(n=1), Story(n=2)
    settled_secrets: list[str] = []
    ward_secrets: list[str] = []
    with receiving(settled_secrets) as (settled, settled_url), receiving(ward_secrets) as (ward, ward_url):
        _, settled_secret = subscribe_at(sessions, settled_url, event_types=["payment-settled"])
        _, ward_secret = subscribe_at(sessions, ward_url, neighbourhood_codes=["W00000002"])
        ward_secrets.append(ward_secret)
        our_life, their_life = grant_life(ours), grant_life(theirs)
        for envelope in our_life + their_life:
            publish(redis_url, envelope)
        await eventually(lambda: settled.refused > 0, what="a delivery refused by the endpoint")
        settled_secrets.append(settled_secret)  # the endpoint recovers: the retries get through
        settlements = [e.event_id for e in our_life + their_life if e.event_type == "payment-settled"]
        await eventually(lambda: sorted(handled_event_ids(settled)) == sorted(settlements), what="settlements")
        in_ward = [e.event_id for e in their_life if e.event_type != "round-opened"]  # a round is in no ward
        await eventually(lambda: sorted(handled_event_ids(ward)) == sorted(in_ward), what="the ward's events")
        owed = len(settlements) + len(in_ward)
        await eventually(lambda: delivery_counts(sessions) == {"delivered": owed}, what="deliveries recorded")
        codes = [a.status_code for a in attempts(sessions)]
        assert 401 in codes and codes.count(200) == owed
