"""The bank keeps its state across a crash and catches up on settlements that fell due while it was down."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import create_engine

from sandbox_bank.models import Base

from .testkit import SETTLE, Bank, body, new_key, new_reference


def test_crash_and_restart_keep_payments_and_catch_up_on_settlement(bank: Bank) -> None:
    settled_key, pending_key, later = new_key(), new_key(), new_reference()
    with httpx.Client(base_url=bank.base_url, timeout=10, auth=bank.auth) as http:
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
    with httpx.Client(base_url=bank.base_url, timeout=10, auth=bank.auth) as http:
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


def test_a_bank_file_from_before_alter_amount_is_upgraded_in_place(tmp_path: Path) -> None:
    db_path = tmp_path / "bank.db"
    engine = create_engine(f"sqlite:///{db_path}")
    Base.metadata.create_all(engine)
    engine.dispose()
    with sqlite3.connect(db_path) as conn:  # the queue table as an older bank created it, with a row queued
        conn.execute("ALTER TABLE queued_behaviours DROP COLUMN amount_delta_pence")
        conn.execute(
            "INSERT INTO queued_behaviours (behaviour, remaining, match_reference, created_at) "
            "VALUES ('fail', 1, 'OLDROW', '2024-01-01 00:00:00')"
        )
    bank = Bank(db_path=db_path, log_path=tmp_path / "bank.log").start()
    try:
        with httpx.Client(base_url=bank.base_url, timeout=10, auth=bank.auth) as http:
            assert [b["behaviour"] for b in http.get("/control/behaviours").json()["items"]] == ["fail"]
            reference = new_reference()
            queued = http.post(
                "/control/behaviours",
                json={"behaviour": "alter_amount", "amount_delta_pence": 7, "match_reference": reference},
            )
            assert queued.status_code == 201, queued.text
            paid = http.post("/payments", json=body(1_000, reference), headers={"Idempotency-Key": new_key()})
            assert paid.json()["amount_pence"] == 1_007
            old = http.post("/payments", json=body(1_000, "OLDROW"), headers={"Idempotency-Key": new_key()})
            assert old.json()["status"] == "failed"
    finally:
        bank.stop()
