"""Starter grants in applications: per-type rules, the 422 for a main-sized request, adviser and history."""

from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from applications.usecases.decisions import record_decision
from grants_shared.auth import Role
from grants_shared.events import AllocationDecided
from grants_shared.ids import new_id
from grants_shared.uow import UnitOfWork

from .conftest import left_behind_wards
from .kit import ASSESSOR, OPERATOR, application_body, auth, members, organisation_body, outbox_events


def _forming(client: TestClient, registry: Any, n: int = 1, size: int = 5) -> tuple[dict[str, str], dict[str, Any]]:
    """An applicant and a forming partnership (`size` members, a resident majority) in left-behind ward n."""
    org = client.post("/organisations", json=organisation_body(n), headers=OPERATOR).json()
    headers = auth(Role.APPLICANT, org=org["id"], subject=f"applicant-{n}")
    ward = left_behind_wards(registry)[n - 1]
    body = {
        "organisation_id": org["id"],
        "name": f"Forming partnership of {ward}",
        "neighbourhood_code": ward,
        "members": members(size, size // 2 + 1),
    }
    partnership = client.post("/partnerships", json=body, headers=headers)
    assert partnership.status_code == 201, partnership.text
    return headers, partnership.json()


def _starter(partnership_id: str, **changes: Any) -> dict[str, Any]:
    starter = {"grant_type": "starter", "requested_pence": 2_500_000, "duration_months": 12}
    return application_body(partnership_id, **{**starter, **changes})


def _submit(client: TestClient, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    created = client.post("/applications", json=body, headers=headers)
    assert created.status_code == 201, created.text
    submitted = client.post(f"/applications/{created.json()['id']}/submit", headers=headers)
    assert submitted.status_code == 200, submitted.text
    result: dict[str, Any] = submitted.json()
    return result


def _award(sessions: Any, app: dict[str, Any], pence: int) -> None:
    decided = AllocationDecided(
        run_id=new_id(),
        round_id=new_id(),
        application_id=app["id"],
        neighbourhood_code=app["neighbourhood_code"],
        outcome="awarded",
        awarded=True,
        awarded_pence=pence,
        rank=1,
        ranked_of=1,
        need_score=1.0,
        binding_constraint=None,
        rationale="Awarded in full.",
        inputs_hash="0" * 64,
        decided_at=datetime.now(UTC),
    )
    with UnitOfWork(sessions) as uow:
        record_decision(uow, decided, event_id=new_id())
        uow.commit()


def test_a_forming_partnership_is_eligible_for_a_starter_grant_but_not_a_main_award(
    client: TestClient, registry: Any, sessions: Any
) -> None:
    headers, partnership = _forming(client, registry)
    assert partnership["compliant"] is False  # five members: below the main award's eight
    starter = _submit(client, headers, _starter(partnership["id"]))
    assert (starter["status"], starter["grant_type"]) == ("eligible", "starter")
    assert starter["assessment"]["rules_version"] == "cwf-governance-v1+starter"
    events = [(s.split(".")[2], e["payload"]) for s, e in outbox_events(sessions)]
    assessed = [p for kind, p in events if kind == "application-assessed"][-1]
    assert assessed["grant_type"] == "starter" and assessed["eligible"] is True
    changed = [p for kind, p in events if kind == "partnership-changed"][-1]
    assert (changed["grant_type"], changed["compliant"]) == ("starter", True)

    headers2, forming2 = _forming(client, registry, n=2)
    main = _submit(client, headers2, application_body(forming2["id"]))
    failed = [o["rule"] for o in main["assessment"]["outcomes"] if not o["passed"]]
    assert (main["status"], main["grant_type"], failed) == ("ineligible", "main", ["partnership_min_members"])


def test_a_starter_application_asking_a_main_award_is_refused_with_a_clear_code(
    client: TestClient, registry: Any, sessions: Any
) -> None:
    headers, partnership = _forming(client, registry)
    refused = client.post(
        "/applications", json=_starter(partnership["id"], requested_pence=100_000_000), headers=headers
    )
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["code"] == "requested-above-grant-type-maximum" and problem["max_requested_pence"] == 5_000_000
    assert client.get("/applications", headers=OPERATOR).json()["total"] == 0  # nothing written

    draft = client.post("/applications", json=_starter(partnership["id"]), headers=headers).json()
    raised = client.patch(f"/applications/{draft['id']}", json={"requested_pence": 6_000_000}, headers=headers)
    assert raised.status_code == 422 and raised.json()["code"] == "requested-above-grant-type-maximum"
    unknown = client.post("/applications", json=_starter(partnership["id"], grant_type="bridge"), headers=headers)
    assert unknown.status_code == 422


def test_a_starter_and_a_main_application_each_hold_their_own_live_slot(client: TestClient, registry: Any) -> None:
    headers, partnership = _forming(client, registry, size=8)
    assert _submit(client, headers, _starter(partnership["id"]))["status"] == "eligible"
    assert _submit(client, headers, application_body(partnership["id"]))["status"] == "eligible"
    second = _submit(client, headers, _starter(partnership["id"]))
    failed = [o["rule"] for o in second["assessment"]["outcomes"] if not o["passed"]]
    assert failed == ["one_live_application_per_neighbourhood"]


def test_an_adviser_is_assigned_by_staff_only_and_kept_out_of_events(
    client: TestClient, registry: Any, sessions: Any
) -> None:
    headers, partnership = _forming(client, registry)
    path = f"/partnerships/{partnership['id']}/adviser"
    assert client.get(path, headers=ASSESSOR).status_code == 404
    assert client.post(path, json={"name": "Ada Lovelace"}, headers=headers).status_code == 403
    first = client.post(path, json={"name": "Ada Lovelace", "adviser_id": "adv-1"}, headers=ASSESSOR)
    assert first.status_code == 200, first.text
    second = client.post(path, json={"name": "Grace Hopper"}, headers=OPERATOR)
    assert second.status_code == 200
    current = client.get(path, headers=ASSESSOR).json()
    assert current["name"] == "Grace Hopper" and current["adviser_id"] == second.json()["adviser_id"]
    assert client.get(path, headers=headers).status_code == 403
    assert not any("Lovelace" in str(e) or "Hopper" in str(e) for _, e in outbox_events(sessions))
    steps = client.get(f"/neighbourhoods/{partnership['neighbourhood_code']}/history", headers=OPERATOR).json()
    assert [s["adviser_id"] for s in steps["steps"]] == ["adv-1", second.json()["adviser_id"]]
    assert not any("Lovelace" in s["detail"] for s in steps["steps"])


def test_the_history_records_the_step_from_a_starter_grant_to_a_main_application(
    client: TestClient, registry: Any, sessions: Any
) -> None:
    headers, partnership = _forming(client, registry)
    client.post(f"/partnerships/{partnership['id']}/adviser", json={"name": "Ada Lovelace"}, headers=ASSESSOR)
    starter = _submit(client, headers, _starter(partnership["id"]))
    _award(sessions, starter, 2_500_000)
    for i in range(3):  # the partnership grows to the main award's eight members
        joiner = {"name": f"Joiner {i}", "resident": True, "joined_on": "2025-06-01"}
        assert (
            client.post(f"/partnerships/{partnership['id']}/members", json=joiner, headers=headers).status_code == 200
        )
    main = _submit(client, headers, application_body(partnership["id"]))
    assert main["status"] == "eligible", main["assessment"]
    changes = [e["payload"] for s, e in outbox_events(sessions) if s.split(".")[2] == "partnership-changed"]
    assert [(c["grant_type"], c["member_count"]) for c in changes][-1] == ("main", 8) and changes[-1]["compliant"]
    _award(sessions, main, 150_000_000)

    url = f"/neighbourhoods/{partnership['neighbourhood_code']}/history"
    assert client.get(url, headers=headers).status_code == 403
    history = client.get(url, headers=ASSESSOR).json()
    assert history["moved_from_starter_to_main"] is True
    steps = [(s["step"], s["grant_type"]) for s in history["steps"]]
    assert steps == [
        ("adviser_assigned", None),
        ("application_submitted", "starter"),
        ("grant_awarded", "starter"),
        ("application_submitted", "main"),
        ("starter_to_main", "main"),
        ("grant_awarded", "main"),
    ]
    moved = history["steps"][4]
    assert moved["application_id"] == main["id"] and starter["id"] in moved["detail"]
    other = client.get(f"/neighbourhoods/{left_behind_wards(registry)[5]}/history", headers=ASSESSOR).json()
    assert other == {
        "neighbourhood_code": left_behind_wards(registry)[5],
        "moved_from_starter_to_main": False,
        "steps": [],
    }
