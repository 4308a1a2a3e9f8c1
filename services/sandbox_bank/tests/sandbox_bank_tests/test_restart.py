"""The bank keeps its state across a crash and catches up on settlements that fell due while it was down."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import httpx

from .testkit import SETTLE, Bank, body, new_key, new_reference


def test_crash_and_restart_keep_payments_and_catch_up_on_settlement(bank: Bank) -> None:
    settled_key, pending_key, later = new_key(), new_key(), new_reference()
    with httpx.Client(base_url=bank.base_url, timeout=10) as http:
        first = http.post("/payments", json=body(1_000), headers={"Idempotency-Key": settled_key})
        http.post("/control/settle-now").raise_for_status()
        http.post("/control/behaviours", json={"behaviour": "delay"}).raise_for_status()
        pending = http.post("/payments", json=body(2_000), headers={"Idempotency-Key": pending_key}).json()
        http.post("/control/behaviours", json={"behaviour": "fail", "match_reference": later}).raise_for_status()
        assert http.get(f"/payments/{pending['payment_id']}").json()["status"] == "pending"
    before = bank.count_payments()
    bank.stop(hard=True)  # a crash: SIGKILL, no shutdown hooks
    due = datetime.fromisoformat(pending["created_at"]) + 10 * SETTLE  # the "delay" behaviour

    bank.start()  # same database file
    time.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()))
    with httpx.Client(base_url=bank.base_url, timeout=10) as http:
        replay = http.post(
            "/payments", json=body(1_000, first.json()["reference"]), headers={"Idempotency-Key": settled_key}
        )
        assert replay.headers["Idempotent-Replayed"] == "true" and replay.content == first.content
        assert http.get(f"/payments/{first.json()['payment_id']}").json()["status"] == "settled"
        caught_up = http.get("/payments", params={"idempotency_key": pending_key}).json()
        assert caught_up["status"] == "settled"
        took = datetime.fromisoformat(caught_up["settled_at"]) - datetime.fromisoformat(caught_up["created_at"])
        assert took == 10 * SETTLE
        assert [b["match_reference"] for b in http.get("/control/behaviours").json()["items"]] == [later]
    assert bank.count_payments() == before
