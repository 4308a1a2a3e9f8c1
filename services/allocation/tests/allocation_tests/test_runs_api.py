"""Simulated and committed runs over HTTP on a pool built by the consumers."""

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from allocation.adapters.orm import Decision, RunInputs
from allocation_tests.db import AWARDED, DECIDED, count, outbox, written
from allocation_tests.kit import ROUND
from allocation_tests.seed import T0, assessed, deliver, need, partnership, seed_pool, withdrawn
from grants_shared import tables
from grants_shared.ids import stable_id


def open_round(client: TestClient, headers: dict[str, str], **changes: Any) -> str:
    """Open a round (ROUND with changes) and return its id."""
    response = client.post("/rounds", json={**ROUND, **changes}, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def run(client: TestClient, headers: dict[str, str], round_id: str, mode: str) -> dict[str, Any]:
    """Run the round's allocation and return the 201 body."""
    response = client.post(f"/rounds/{round_id}/runs", json={"mode": mode}, headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_simulation_decides_everyone_and_publishes_nothing(
    client: TestClient, operator: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    ids = seed_pool(sessions, 30)
    round_id = open_round(client, operator)
    before = outbox(sessions)
    body = run(client, operator, round_id, "simulate")
    assert outbox(sessions) == before  # only RoundOpened is there: a simulation publishes nothing
    assert body["mode"] == "simulate" and sorted(d["application_id"] for d in body["decisions"]) == ids
    totals = body["totals"]
    assert totals["considered"] == 30 and 0 < totals["awards"] < 30
    assert totals["awarded_pence"] == sum(d["awarded_pence"] for d in body["decisions"]) <= ROUND["budget_pence"]
    assert totals["budget_left_pence"] == ROUND["budget_pence"] - totals["awarded_pence"]
    ranked = [d for d in body["decisions"] if d["rank"] is not None]
    assert [d["rank"] for d in ranked] == list(range(1, len(ranked) + 1))
    assert all(d["ranked_of"] == len(ranked) for d in body["decisions"])
    assert all(a["need_score"] >= b["need_score"] for a, b in zip(ranked, ranked[1:], strict=False))
    first = ranked[0]
    assert first["awarded"] and first["rationale"].startswith("Ranked 1st of 30 by need")
    assert all(d["grant_id"] is None for d in body["decisions"])
    assert count(sessions, "awards") == 0


def test_a_simulation_is_repeatable_byte_for_byte(
    client: TestClient, operator: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    seed_pool(sessions, 12)
    round_id = open_round(client, operator)
    a, b = run(client, operator, round_id, "simulate"), run(client, operator, round_id, "simulate")
    assert a["run_id"] != b["run_id"]
    assert (a["inputs_hash"], a["decisions_digest"]) == (b["inputs_hash"], b["decisions_digest"])
    assert a["decisions"] == b["decisions"]


def test_a_commit_publishes_one_decision_each_and_one_grant_per_award(
    client: TestClient, operator: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    seed_pool(sessions, 30)
    round_id = open_round(client, operator)
    body = run(client, operator, round_id, "commit")
    awards = [d for d in body["decisions"] if d["awarded"]]
    assert outbox(sessions, DECIDED) == 30 and outbox(sessions, AWARDED) == len(awards) == body["totals"]["awards"]
    for decision in awards:
        assert decision["grant_id"] == stable_id("grant", body["run_id"], decision["application_id"])
    with sessions() as session:
        rows = session.execute(
            select(tables.outbox.c.subject, tables.outbox.c.body).where(tables.outbox.c.stream == AWARDED)
        ).all()
    grants = {json.loads(r.body)["payload"]["grant_id"]: (r.subject, json.loads(r.body)["payload"]) for r in rows}
    assert set(grants) == {d["grant_id"] for d in awards}
    for grant_id, (subject, payload) in grants.items():
        assert subject == grant_id and payload["amount_pence"] > 0 and payload["duration_months"] == 120
        assert payload["organisation_id"] == "org-1" and payload["region_code"].startswith("E12")
    assert count(sessions, "awards") == len(awards)
    assert client.get(f"/runs/{body['run_id']}", headers=operator).json()["totals"] == body["totals"]


def test_a_second_commit_in_a_round_is_refused(
    client: TestClient, operator: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    seed_pool(sessions, 5)
    round_id = open_round(client, operator)
    first = run(client, operator, round_id, "commit")
    before = written(sessions)
    again = client.post(f"/rounds/{round_id}/runs", json={"mode": "commit"}, headers=operator)
    assert again.status_code == 409 and again.json()["code"] == "round-already-committed"
    assert again.json()["run_id"] == first["run_id"] and written(sessions) == before


def test_awarded_applications_leave_the_pool_for_later_rounds(
    client: TestClient, operator: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    ids = seed_pool(sessions, 10)
    first = run(client, operator, open_round(client, operator), "commit")
    awarded = {d["application_id"] for d in first["decisions"] if d["awarded"]}
    second = run(client, operator, open_round(client, operator, name="Round two"), "simulate")
    assert {d["application_id"] for d in second["decisions"]} == set(ids) - awarded


def test_ineligible_withdrawn_and_non_compliant_applications(
    client: TestClient, operator: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    deliver(sessions, assessed("fine", need(1)))
    deliver(sessions, assessed("ineligible", need(2), eligible=False))
    deliver(sessions, assessed("gone", need(3)))
    deliver(sessions, withdrawn("gone"))
    deliver(sessions, assessed("shaky", need(4), partnership_id="p-shaky"))
    deliver(sessions, partnership("p-shaky", compliant=False))
    deliver(sessions, assessed("not-left-behind", need(5, left_behind=False)))
    decisions = {
        d["application_id"]: d for d in run(client, operator, open_round(client, operator), "commit")["decisions"]
    }
    assert set(decisions) == {"fine", "ineligible", "shaky", "not-left-behind"}
    assert decisions["fine"]["awarded"] and decisions["fine"]["rank"] == 1 and decisions["fine"]["ranked_of"] == 1
    assert (
        decisions["ineligible"]["outcome"] == "ineligible" and "only 5 members" in decisions["ineligible"]["rationale"]
    )
    assert decisions["shaky"]["outcome"] == "partnership_non_compliant" and not decisions["shaky"]["awarded"]
    assert "3 of 8 are residents" in decisions["shaky"]["rationale"]
    assert decisions["not-left-behind"]["outcome"] == "ineligible"
    assert "left behind" in decisions["not-left-behind"]["rationale"]
    assert outbox(sessions, DECIDED) == 4 and outbox(sessions, AWARDED) == 1


def test_an_empty_pool_cannot_be_committed(
    client: TestClient, operator: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    round_id = open_round(client, operator)
    assert run(client, operator, round_id, "simulate")["decisions"] == []
    refused = client.post(f"/rounds/{round_id}/runs", json={"mode": "commit"}, headers=operator)
    assert refused.status_code == 409 and refused.json()["code"] == "empty-pool"
    assert count(sessions, "runs", mode="commit") == 0


def test_a_closed_round_takes_no_commit(
    client: TestClient, operator: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    seed_pool(sessions, 3)
    round_id = open_round(client, operator)
    client.post(f"/rounds/{round_id}/close", headers=operator)
    refused = client.post(f"/rounds/{round_id}/runs", json={"mode": "commit"}, headers=operator)
    assert refused.status_code == 409 and refused.json()["code"] == "round-closed"
    assert outbox(sessions, DECIDED) == 0


def test_verify_passes_then_fails_when_stored_inputs_are_tampered(
    client: TestClient, operator: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    seed_pool(sessions, 20)
    body = run(client, operator, open_round(client, operator), "commit")
    verified = client.post(f"/runs/{body['run_id']}/verify", headers=operator).json()
    assert verified["verified"] is True and verified["recomputed_digest"] == body["decisions_digest"]
    assert verified["inputs_hash"] == body["inputs_hash"]
    with sessions() as session:
        stored = session.get(RunInputs, body["run_id"])
        assert stored is not None
        stored.body = stored.body.replace('"requested_pence":150000000', '"requested_pence":99000000', 1)
        session.commit()
    tampered = client.post(f"/runs/{body['run_id']}/verify", headers=operator).json()
    assert tampered["verified"] is False and tampered["recomputed_inputs_hash"] != body["inputs_hash"]
    assert tampered["recomputed_digest"] != body["decisions_digest"]


def test_verify_fails_when_stored_decisions_are_tampered(
    client: TestClient, operator: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    seed_pool(sessions, 8)
    body = run(client, operator, open_round(client, operator), "simulate")
    with sessions() as session:
        session.execute(
            update(Decision).where(Decision.run_id == body["run_id"], Decision.rank == 1).values(awarded_pence=1)
        )
        session.commit()
    result = client.post(f"/runs/{body['run_id']}/verify", headers=operator).json()
    assert result["verified"] is False and result["stored_decisions_match"] is False
    assert result["recomputed_digest"] == body["decisions_digest"]  # the inputs still recompute


def test_decisions_are_paged_in_rank_order(
    client: TestClient, operator: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    seed_pool(sessions, 12)
    body = run(client, operator, open_round(client, operator), "simulate")
    pages = [
        client.get(f"/runs/{body['run_id']}/decisions?limit=5&offset={o}", headers=operator).json() for o in (0, 5, 10)
    ]
    assert [p["total"] for p in pages] == [12, 12, 12]
    assert [d for p in pages for d in p["items"]] == body["decisions"]


def test_an_application_shows_its_latest_committed_decision(
    client: TestClient, operator: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    seed_pool(sessions, 12)
    round_id = open_round(client, operator, budget_pence=300_000_000)
    simulated = run(client, operator, round_id, "simulate")
    loser = next(d for d in simulated["decisions"] if not d["awarded"])["application_id"]
    assert client.get(f"/applications/{loser}/decision", headers=operator).status_code == 404  # simulated only
    committed = run(client, operator, round_id, "commit")
    shown = client.get(f"/applications/{loser}/decision", headers=operator).json()
    assert shown["run_id"] == committed["run_id"] and shown["round_id"] == round_id
    assert shown["awarded"] is False and "not funded" in shown["rationale"]


def test_two_runs_can_be_diffed(client: TestClient, operator: dict[str, str], sessions: sessionmaker[Session]) -> None:
    seed_pool(sessions, 15)
    deep = run(client, operator, open_round(client, operator), "simulate")
    broad = run(client, operator, open_round(client, operator, max_award_pence=100_000_000), "simulate")
    response = client.get(f"/runs/diff?a={deep['run_id']}&b={broad['run_id']}", headers=operator)
    assert response.status_code == 200, response.text
    diff = response.json()
    assert diff["total_a_pence"] == deep["totals"]["awarded_pence"]
    assert diff["delta_pence"] == broad["totals"]["awarded_pence"] - deep["totals"]["awarded_pence"]
    assert diff["gainers"] and diff["losers"]  # smaller pots reach more neighbourhoods
    assert sum(diff["by_region_pence"].values()) == diff["delta_pence"]
    assert client.get(f"/runs/diff?a={deep['run_id']}&b={deep['run_id']}", headers=operator).json()["changes"] == 0
    missing = client.get(f"/runs/diff?a={deep['run_id']}&b=nope", headers=operator)
    assert missing.status_code == 404 and missing.json()["code"] == "run-not-found"


def test_a_retried_commit_with_the_same_key_commits_once(
    client: TestClient, operator: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    seed_pool(sessions, 6)
    round_id = open_round(client, operator)
    headers = {**operator, "Idempotency-Key": "commit-1"}
    first = client.post(f"/rounds/{round_id}/runs", json={"mode": "commit"}, headers=headers)
    second = client.post(f"/rounds/{round_id}/runs", json={"mode": "commit"}, headers=headers)
    assert first.status_code == second.status_code == 201 and first.json() == second.json()
    assert count(sessions, "runs") == 1 and outbox(sessions, DECIDED) == 6


def test_a_late_reassessment_does_not_return_an_award_to_the_pool(
    client: TestClient, operator: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    deliver(sessions, assessed("a1", need(1)))
    run(client, operator, open_round(client, operator), "commit")
    deliver(sessions, assessed("a1", need(1), requested_pence=200_000_000, at=T0 + timedelta(days=30)))
    assert run(client, operator, open_round(client, operator, name="Round two"), "simulate")["decisions"] == []


def test_two_concurrent_commits_make_one_committed_run(
    client: TestClient, operator: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    seed_pool(sessions, 8)
    round_id = open_round(client, operator)
    with ThreadPoolExecutor(max_workers=2) as pool:
        responses = list(
            pool.map(
                lambda _: client.post(f"/rounds/{round_id}/runs", json={"mode": "commit"}, headers=operator), range(2)
            )
        )
    assert sorted(r.status_code for r in responses) == [201, 409]
    assert count(sessions, "runs", mode="commit") == 1 and outbox(sessions, DECIDED) == 8
