"""GET /pool shows what the next run would decide: assessed, not withdrawn, not yet awarded."""

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from allocation_tests.kit import ROUND
from allocation_tests.seed import assessed, deliver, need, partnership, seed_pool, withdrawn


def test_the_pool_lists_waiting_applications_and_pages(
    client: TestClient, operator: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    ids = seed_pool(sessions, 6)
    deliver(sessions, withdrawn(ids[0]))
    deliver(sessions, assessed("late", need(40), eligible=False))
    deliver(sessions, partnership(f"p-{ids[1]}", compliant=False))
    listed = client.get("/pool?limit=200", headers=operator).json()
    assert listed["total"] == 6 and [i["application_id"] for i in listed["items"]] == sorted([*ids[1:], "late"])
    by_id = {i["application_id"]: i for i in listed["items"]}
    assert by_id["late"]["assessed_eligible"] is False and by_id[ids[1]]["partnership_compliant"] is False
    assert by_id[ids[2]]["requested_pence"] == 190_000_000 and by_id[ids[2]]["neighbourhood_code"] == "E05000002"
    second = client.get("/pool?limit=2&offset=2", headers=operator).json()
    assert second["items"] == listed["items"][2:4] and second["total"] == 6

    round_id = client.post("/rounds", json=ROUND, headers=operator).json()["id"]
    run = client.post(f"/rounds/{round_id}/runs", json={"mode": "commit"}, headers=operator).json()
    awarded = {d["application_id"] for d in run["decisions"] if d["awarded"]}
    left = client.get("/pool?limit=200", headers=operator).json()
    assert awarded and {i["application_id"] for i in left["items"]} == {*ids[1:], "late"} - awarded
