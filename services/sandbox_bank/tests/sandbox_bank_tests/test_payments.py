"""Payments over real HTTP: idempotency, concurrency, asynchronous settlement, reports."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from sandbox_bank.client import Payee, ProviderNotFound, ProviderRejected, SandboxBankClient

from .testkit import SETTLE, Bank, body, new_key, new_reference, poll


def test_health_readiness_and_openapi(http: httpx.Client) -> None:
    assert http.get("/healthz").json() == {"status": "ok", "service": "sandbox-bank"}
    assert http.get("/readyz").json() == {"status": "ready", "service": "sandbox-bank"}
    paths = http.get("/openapi.json").json()["paths"]
    assert {"/payments", "/payments/{payment_id}", "/settlements", "/control/behaviours"} <= set(paths)
    assert http.get("/docs").status_code == 200


def test_create_then_replay_returns_the_first_response(http: httpx.Client, bank: Bank) -> None:
    key, request = new_key(), body()
    first = http.post("/payments", json=request, headers={"Idempotency-Key": key})
    assert first.status_code == 201
    created = first.json()
    assert created["status"] == "pending" and created["amount_pence"] == 12_345
    assert created["idempotency_key"] == key and created["payment_id"].startswith("pay_")
    assert "Idempotent-Replayed" not in first.headers

    again = http.post("/payments", json=request, headers={"Idempotency-Key": key})
    assert again.status_code in (200, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert bank.count_payments("idempotency_key = ?", key) == 1
    assert http.get(f"/payments/{created['payment_id']}").json()["payment_id"] == created["payment_id"]
    assert http.get("/payments", params={"idempotency_key": key}).json()["payment_id"] == created["payment_id"]


def test_same_key_with_a_different_body_is_409(http: httpx.Client, bank: Bank) -> None:
    key, request = new_key(), body()
    created = http.post("/payments", json=request, headers={"Idempotency-Key": key}).json()
    clash = http.post("/payments", json={**request, "amount_pence": 99}, headers={"Idempotency-Key": key})
    assert clash.status_code == 409
    assert clash.headers["content-type"].startswith("application/problem+json")
    assert clash.json()["status"] == 409 and clash.json()["type"].endswith("idempotency-key-reused")
    assert http.get(f"/payments/{created['payment_id']}").json()["amount_pence"] == 12_345
    assert bank.count_payments("idempotency_key = ?", key) == 1


def test_concurrent_identical_requests_create_one_payment(bank: Bank) -> None:
    key, request, threads = new_key(), body(), 16
    barrier = threading.Barrier(threads)
    responses: list[httpx.Response] = []
    lock = threading.Lock()

    def send() -> None:
        with httpx.Client(base_url=bank.base_url, timeout=15, auth=bank.auth) as client:
            barrier.wait()
            response = client.post("/payments", json=request, headers={"Idempotency-Key": key})
        with lock:
            responses.append(response)

    workers = [threading.Thread(target=send) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert all(r.status_code in (200, 201) for r in responses), [r.text for r in responses]
    assert len({r.json()["payment_id"] for r in responses}) == 1
    assert sum("Idempotent-Replayed" not in r.headers for r in responses) == 1
    assert len({r.content for r in responses}) == 1
    assert bank.count_payments("idempotency_key = ?", key) == 1


def test_payment_settles_asynchronously(http: httpx.Client) -> None:
    created = http.post("/payments", json=body(), headers={"Idempotency-Key": new_key()}).json()
    assert created["status"] == "pending" and created["settled_at"] is None
    url = f"/payments/{created['payment_id']}"
    settled = poll(lambda: http.get(url).json(), lambda p: p["status"] == "settled")
    created_at, settled_at = (datetime.fromisoformat(settled[f]) for f in ("created_at", "settled_at"))
    assert settled_at - created_at == SETTLE


def test_settle_now_settles_pending_payments(http: httpx.Client) -> None:
    http.post("/control/behaviours", json={"behaviour": "delay", "count": 1}).raise_for_status()
    created = http.post("/payments", json=body(), headers={"Idempotency-Key": new_key()}).json()
    assert http.post("/control/settle-now").json()["settled"] >= 1
    assert http.get(f"/payments/{created['payment_id']}").json()["status"] == "settled"


def test_settlement_report_lists_settled_payments_once(http: httpx.Client) -> None:
    before = datetime.now(UTC) - timedelta(seconds=1)
    reference = new_reference()
    created = http.post("/payments", json=body(777, reference), headers={"Idempotency-Key": new_key()}).json()
    http.post("/control/settle-now").raise_for_status()
    report = http.get("/settlements", params={"since": before.isoformat()}).json()
    mine = [e for e in report["entries"] if e["payment_id"] == created["payment_id"]]
    assert [(e["kind"], e["amount_pence"], e["reference"]) for e in mine] == [("settled", 777, reference)]
    later = http.get("/settlements", params={"since": report["until"]}).json()
    assert all(e["payment_id"] != created["payment_id"] for e in later["entries"])


def test_client_round_trip_and_errors(bank: Bank) -> None:
    payee, key, reference = Payee("Ward 12 Partnership", "123456", "12345678"), new_key(), new_reference()
    with SandboxBankClient(bank.base_url, bank.api_key, timeout=5) as client:
        payment = client.create_payment(key, 5_000, payee, reference)
        assert payment.status == "pending" and not payment.replayed
        assert client.create_payment(key, 5_000, payee, reference).replayed
        with pytest.raises(ProviderRejected) as conflict:
            client.create_payment(key, 5_001, payee, reference)
        assert conflict.value.status == 409
        assert client.find_by_key(key) == payment
        assert client.find_by_key(new_key()) is None
        with pytest.raises(ProviderNotFound):
            client.get("pay_unknown")
        settled = poll(lambda: client.get(payment.payment_id), lambda p: p.status == "settled")
        assert settled.settled_at is not None
        lines = client.settlements(payment.created_at).lines
        assert [(line.kind, line.amount_pence) for line in lines if line.payment_id == payment.payment_id] == [
            ("settled", 5_000)
        ]
