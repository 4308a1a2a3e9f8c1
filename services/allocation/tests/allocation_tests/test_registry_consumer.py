"""Registry announcements: the newest vintage is the one in force, whatever order or how often they arrive."""

from datetime import timedelta
from itertools import permutations
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from allocation.adapters.registry_store import in_force
from allocation.adapters.registry_tables import RegistryVintage
from allocation_tests.kit import ROUND
from allocation_tests.seed import T0, deliver, seed_pool
from grants_shared import tables
from grants_shared.events import Envelope, NeighbourhoodRegistryUpdated, wrap


def announced(inputs_hash: str, at_hours: int, name: str | None = None) -> Envelope[Any]:
    """A NeighbourhoodRegistryUpdated envelope for a vintage loaded `at_hours` after T0."""
    at = T0 + timedelta(hours=at_hours)
    payload = NeighbourhoodRegistryUpdated(
        vintage=name or f"v-{inputs_hash}",
        inputs_hash=inputs_hash * 8,
        ward_count=10,
        left_behind_count=2,
        synthetic=True,
        loaded_at=at,
    )
    return wrap(payload, subject=inputs_hash, occurred_at=at)


def statuses(sessions: sessionmaker[Session]) -> dict[str, str]:
    """Status of each vintage by its short name, and which one is in force."""
    with sessions() as session:
        rows = {v.name[2:]: v.status for v in session.query(RegistryVintage)}
        current = in_force(session)
        return {**rows, "in_force": current.name[2:] if current else ""}


def reset(sessions: sessionmaker[Session]) -> None:
    """Forget every vintage and inbox row (between orders of arrival)."""
    with sessions() as session:
        session.execute(delete(RegistryVintage))
        session.execute(delete(tables.inbox))
        session.commit()


def test_the_newest_announcement_wins_in_any_order(client: TestClient, sessions: sessionmaker[Session]) -> None:
    events = [announced("a", 1), announced("b", 2), announced("c", 3)]
    for order in permutations(events):
        reset(sessions)
        for event in order:
            deliver(sessions, event)
        assert statuses(sessions) == {"a": "superseded", "b": "superseded", "c": "pending", "in_force": "c"}, order


def test_a_repeat_changes_nothing_and_a_reinstated_vintage_is_pending_again(
    client: TestClient, sessions: sessionmaker[Session], operator: dict[str, str]
) -> None:
    first = announced("a", 1)
    assert deliver(sessions, first) and not deliver(sessions, first)
    deliver(sessions, announced("b", 2))
    deliver(sessions, announced("a", 1))  # the same announcement with a new event id: not newer, no change
    assert statuses(sessions) == {"a": "superseded", "b": "pending", "in_force": "b"}
    deliver(sessions, announced("a", 3))  # vintage a loaded again: in force again
    assert statuses(sessions) == {"a": "pending", "b": "superseded", "in_force": "a"}
    shown = client.get("/registry", headers=operator).json()
    assert shown["in_force"]["inputs_hash"] == "a" * 8 and shown["in_force"]["status"] == "pending"
    assert [v["in_force"] for v in shown["items"]] == [True, False] and shown["items"][1]["wards_held"] == 0


def test_without_a_held_registry_a_run_says_it_scored_against_applications_seen(
    client: TestClient, sessions: sessionmaker[Session], operator: dict[str, str]
) -> None:
    seed_pool(sessions, 3)
    deliver(sessions, announced("a", 1))
    round_id = client.post("/rounds", json=ROUND, headers=operator).json()["id"]
    run = client.post(f"/rounds/{round_id}/runs", json={"mode": "simulate"}, headers=operator).json()
    assert run["registry"] == {
        "source": "applications_seen",
        "neighbourhoods": 3,
        "pending_vintage": "v-a",
        "pending_inputs_hash": "a" * 8,
    }
    assert client.post(f"/runs/{run['run_id']}/verify", headers=operator).json()["verified"] is True
