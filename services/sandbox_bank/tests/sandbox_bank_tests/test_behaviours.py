"""Failure injection over real HTTP: fail, timeout, return, delay and alter_amount, and the behaviour queue itself."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import httpx
import pytest

from sandbox_bank.client import Payee, ProviderTimeout, SandboxBankClient

from .testkit import SETTLE, Bank, body, new_key, new_reference, poll


def _queue(http: httpx.Client, behaviour: str, reference: str | None = None, count: int = 1, **options: Any) -> None:
    response = http.post(
        "/control/behaviours", json={"behaviour": behaviour, "count": count, "match_reference": reference, **options}
    )
    assert response.status_code == 201, response.text


def test_fail_creates_a_failed_payment_that_never_settles(http: httpx.Client) -> None:
    reference = new_reference()
    _queue(http, "fail", reference)
    response = http.post("/payments", json=body(reference=reference), headers={"Idempotency-Key": new_key()})
    assert response.status_code == 201
    failed = response.json()
    assert failed["status"] == "failed" and failed["failure_reason"] == "insufficient funds (sandbox)"
    time.sleep(0.5)  # past the settle delay
    http.post("/control/settle-now").raise_for_status()
    assert http.get(f"/payments/{failed['payment_id']}").json()["status"] == "failed"
    report = http.get("/settlements", params={"since": failed["created_at"]}).json()
    assert all(e["payment_id"] != failed["payment_id"] for e in report["entries"])


def test_timeout_records_the_payment_but_answers_too_late(bank: Bank, http: httpx.Client) -> None:
    key, reference = new_key(), new_reference()
    payee = Payee("Ward 12 Partnership", "123456", "12345678")
    _queue(http, "timeout", reference)
    with SandboxBankClient(bank.base_url, bank.api_key, timeout=0.5) as client:
        started = time.monotonic()
        with pytest.raises(ProviderTimeout):
            client.create_payment(key, 2_500, payee, reference)
        assert time.monotonic() - started < 1.4
        found = client.find_by_key(key)  # "did you get my instruction?" -- yes, exactly once
        assert found is not None and found.amount_pence == 2_500
        assert bank.count_payments("idempotency_key = ?", key) == 1
        retried = client.create_payment(key, 2_500, payee, reference)  # a retry is answered at once, as a replay
        assert retried.replayed and retried.payment_id == found.payment_id
        assert poll(lambda: client.get(found.payment_id), lambda p: p.status == "settled").settled_at
    assert bank.count_payments("idempotency_key = ?", key) == 1


def test_return_settles_then_comes_back(http: httpx.Client) -> None:
    reference = new_reference()
    _queue(http, "return", reference)
    created = http.post("/payments", json=body(4_000, reference), headers={"Idempotency-Key": new_key()}).json()
    url = f"/payments/{created['payment_id']}"
    returned = poll(lambda: http.get(url).json(), lambda p: p["status"] == "returned")
    assert returned["settled_at"] and returned["returned_at"] and returned["return_reason"]
    assert datetime.fromisoformat(returned["returned_at"]) > datetime.fromisoformat(returned["settled_at"])
    report = http.get("/settlements", params={"since": created["created_at"]}).json()
    lines = [(e["kind"], e["amount_pence"]) for e in report["entries"] if e["payment_id"] == created["payment_id"]]
    assert lines == [("settled", 4_000), ("returned", 4_000)]


def test_delay_settles_after_ten_times_the_normal_delay(http: httpx.Client) -> None:
    reference = new_reference()
    _queue(http, "delay", reference)
    created = http.post("/payments", json=body(reference=reference), headers={"Idempotency-Key": new_key()}).json()
    url = f"/payments/{created['payment_id']}"
    time.sleep(3 * SETTLE.total_seconds())  # three normal delays
    assert http.get(url).json()["status"] == "pending"
    settled = poll(lambda: http.get(url).json(), lambda p: p["status"] == "settled", timeout=6)
    took = datetime.fromisoformat(settled["settled_at"]) - datetime.fromisoformat(settled["created_at"])
    assert took == 10 * SETTLE


def test_alter_amount_records_settles_and_answers_another_amount_than_asked(bank: Bank, http: httpx.Client) -> None:
    key, reference = new_key(), new_reference()
    _queue(http, "alter_amount", reference, amount_delta_pence=250)
    [queued] = http.get("/control/behaviours").json()["items"]
    assert (queued["behaviour"], queued["amount_delta_pence"]) == ("alter_amount", 250)
    request = body(10_000, reference)
    created = http.post("/payments", json=request, headers={"Idempotency-Key": key})
    assert created.status_code == 201 and created.json()["amount_pence"] == 10_250
    assert http.get("/control/behaviours").json()["items"] == []  # used up by this payment
    replay = http.post("/payments", json=request, headers={"Idempotency-Key": key})  # the body asked, not the amount
    assert replay.headers["Idempotent-Replayed"] == "true" and replay.content == created.content
    payment_id = created.json()["payment_id"]
    assert http.get("/payments", params={"idempotency_key": key}).json()["amount_pence"] == 10_250
    poll(lambda: http.get(f"/payments/{payment_id}").json(), lambda p: p["status"] == "settled")
    report = http.get("/settlements", params={"since": created.json()["created_at"]}).json()
    assert [(e["kind"], e["amount_pence"]) for e in report["entries"] if e["payment_id"] == payment_id] == [
        ("settled", 10_250)
    ]
    assert bank.count_payments("idempotency_key = ? AND amount_pence = ?", key, 10_250) == 1
    other = http.post("/payments", json=body(10_000), headers={"Idempotency-Key": new_key()}).json()
    assert other["amount_pence"] == 10_000  # the next payment is paid as asked


def test_alter_amount_can_take_less_but_never_below_a_penny(http: httpx.Client) -> None:
    first, second = new_reference(), new_reference()
    _queue(http, "alter_amount", first, amount_delta_pence=-1)
    _queue(http, "alter_amount", second, amount_delta_pence=-50_000)

    def pay(reference: str) -> int:
        response = http.post("/payments", json=body(2_000, reference), headers={"Idempotency-Key": new_key()})
        assert response.status_code == 201, response.text
        return int(response.json()["amount_pence"])

    assert (pay(second), pay(first)) == (1, 1_999)


def test_behaviours_apply_to_matching_references_count_times_then_stop(http: httpx.Client) -> None:
    target, other = new_reference(), new_reference()
    _queue(http, "fail", target, count=2)
    assert [(b["behaviour"], b["remaining"]) for b in http.get("/control/behaviours").json()["items"]] == [("fail", 2)]

    def pay(reference: str) -> str:
        response = http.post("/payments", json=body(reference=reference), headers={"Idempotency-Key": new_key()})
        return str(response.json()["status"])

    assert pay(other) == "pending"
    assert [pay(target), pay(target), pay(target)] == ["failed", "failed", "pending"]
    assert http.get("/control/behaviours").json()["items"] == []


def test_behaviours_are_applied_in_order_and_can_be_cleared(http: httpx.Client) -> None:
    _queue(http, "fail")
    _queue(http, "delay", count=3)
    items = http.get("/control/behaviours").json()["items"]
    assert [(b["behaviour"], b["remaining"], b["match_reference"]) for b in items] == [
        ("fail", 1, None),
        ("delay", 3, None),
    ]
    first = http.post("/payments", json=body(), headers={"Idempotency-Key": new_key()}).json()
    assert first["status"] == "failed"
    assert http.delete("/control/behaviours").json() == {"cleared": 1}
    assert http.get("/control/behaviours").json()["items"] == []


def test_replay_does_not_consume_a_behaviour(http: httpx.Client) -> None:
    key, request = new_key(), body()
    http.post("/payments", json=request, headers={"Idempotency-Key": key}).raise_for_status()
    _queue(http, "fail")
    http.post("/payments", json=request, headers={"Idempotency-Key": key}).raise_for_status()
    assert len(http.get("/control/behaviours").json()["items"]) == 1
