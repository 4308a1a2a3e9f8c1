"""The worker's registry fetch against a real applications API: every ward held, need independent of who applied."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from allocation.adapters.registry_source import RegistrySource
from allocation.consumers.loops import fetch_once
from allocation_tests.db import count
from allocation_tests.kit import ROUND, bearer
from allocation_tests.procs import api_process, run_step, running
from allocation_tests.seed import assessed, deliver
from grants_shared.auth import Role
from grants_shared.delivery.writer import Database
from grants_shared.events import NeighbourhoodNeed, NeighbourhoodRegistryUpdated, wrap

WARDS = 400


@pytest.fixture(scope="module")
def applications_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The applications API as a real process, with a synthetic registry of WARDS wards in force."""
    tmp = tmp_path_factory.mktemp("applications")
    env = {"APPLICATIONS_DATABASE_URL": f"sqlite:///{tmp / 'applications.db'}", "GRANTS_VAR_DIR": str(tmp)}
    run_step(env, "-m", "applications.registry_load", "--synthetic", "--wards", str(WARDS))
    process, url = api_process("applications", env, tmp)
    with running(process, f"{url}/healthz"):
        yield url


def source(url: str) -> RegistrySource:
    """The registry source the worker builds, with an integrator token."""
    return RegistrySource(url, bearer(Role.INTEGRATOR)["Authorization"].split()[1])


def vintage_in_force(url: str) -> dict[str, Any]:
    """The applications service's vintage in force."""
    vintages = httpx.get(f"{url}/registry/vintages", headers=bearer(Role.OPERATOR)).json()["items"]
    return next(v for v in vintages if v["in_force"])


def announce(sessions: sessionmaker[Session], vintage: dict[str, Any], inputs_hash: str | None = None) -> None:
    """Deliver the NeighbourhoodRegistryUpdated the applications service published for the vintage."""
    payload = NeighbourhoodRegistryUpdated(
        vintage=vintage["name"],
        inputs_hash=inputs_hash or vintage["inputs_hash"],
        ward_count=vintage["ward_count"],
        left_behind_count=vintage["left_behind_count"],
        synthetic=True,
        loaded_at=vintage["loaded_at"],
    )
    deliver(sessions, wrap(payload, subject=vintage["id"]))


def left_behind_wards(url: str) -> list[NeighbourhoodNeed]:
    """The left-behind wards of the vintage in force, as assessments carry them."""
    items = httpx.get(f"{url}/neighbourhoods?left_behind=true&limit=200", headers=bearer(Role.OPERATOR)).json()
    # the listing carries every field allocation scores with; the later optional ones (names, LSOAs) keep defaults
    return [
        NeighbourhoodNeed.model_validate({k: w[k] for k in NeighbourhoodNeed.model_fields if k in w})
        for w in items["items"]
    ]


def scores(client: TestClient, headers: dict[str, str], round_id: str) -> tuple[dict[str, Any], dict[str, float]]:
    """A simulation's registry and each application's need score."""
    run = client.post(f"/rounds/{round_id}/runs", json={"mode": "simulate"}, headers=headers).json()
    return run["registry"], {d["application_id"]: d["need_score"] for d in run["decisions"]}


def test_need_is_scored_over_the_whole_vintage_once_held(
    applications_api: str, client: TestClient, sessions: sessionmaker[Session], operator: dict[str, str]
) -> None:
    wards, vintage = left_behind_wards(applications_api), vintage_in_force(applications_api)
    assert len(wards) >= 10
    for i, ward in enumerate(wards[:3]):
        deliver(sessions, assessed(f"a{i}", ward))
    round_id = client.post("/rounds", json=ROUND, headers=operator).json()["id"]
    seen_registry, seen_three = scores(client, operator, round_id)
    assert seen_registry["source"] == "applications_seen" and sorted(seen_three.values())[0] == 0.0

    announce(sessions, vintage)
    assert fetch_once(Database(sessions), lambda: source(applications_api)) == "held"
    assert fetch_once(Database(sessions), lambda: source(applications_api)) == "idle"
    assert count(sessions, "registry_wards") == WARDS
    registry, three = scores(client, operator, round_id)
    assert registry == {
        "source": "registry",
        "vintage": vintage["name"],
        "inputs_hash": vintage["inputs_hash"],
        "wards": WARDS,
        "from_assessments": 0,
    }
    for i, ward in enumerate(wards[3:], start=3):
        deliver(sessions, assessed(f"a{i}", ward))
    _, everyone = scores(client, operator, round_id)
    print(f"\nscores of the first three: over applicants {seen_three}, over the registry {three}")
    assert {k: everyone[k] for k in three} == three  # a ward's score does not depend on who else applied
    assert min(everyone.values()) > 50  # left-behind wards score high against the whole registry


def test_a_vintage_the_applications_service_does_not_have_in_force_is_not_fetched(
    applications_api: str, client: TestClient, sessions: sessionmaker[Session], operator: dict[str, str]
) -> None:
    announce(sessions, vintage_in_force(applications_api), inputs_hash="f" * 64)
    assert fetch_once(Database(sessions), lambda: source(applications_api)) == "failed"
    assert count(sessions, "registry_wards") == 0
    shown = client.get("/registry", headers=operator).json()["in_force"]
    assert shown["status"] == "pending" and shown["attempts"] == 1 and "in force" in shown["last_error"]


def test_an_unreachable_applications_service_leaves_the_vintage_pending(
    applications_api: str, client: TestClient, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    announce(sessions, vintage_in_force(applications_api))
    assert fetch_once(Database(sessions), lambda: source("http://127.0.0.1:9")) == "failed"
    assert count(sessions, "registry_wards") == 0 and count(sessions, "registry_vintages", status="pending") == 1
