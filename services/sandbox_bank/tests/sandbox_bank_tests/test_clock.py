"""The bank's clock moves forward on request: payments then settle and return by the new time, never earlier."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from .testkit import Bank, body, new_key


@pytest.fixture
def own_bank(tmp_path: Path) -> Iterator[httpx.Client]:
    """A bank of its own (its clock moves; the shared one's must not), settling a day after instruction."""
    bank = Bank(
        db_path=tmp_path / "bank.db",
        log_path=tmp_path / "bank.log",
        env={"SANDBOX_BANK_SETTLE_AFTER_SECONDS": "86400", "SANDBOX_BANK_RETURN_AFTER_SECONDS": "3600"},
    )
    bank.start()
    try:
        with httpx.Client(base_url=bank.base_url, timeout=10, auth=bank.auth) as client:
            yield client
    finally:
        bank.stop()


def clock(http: httpx.Client) -> datetime:
    """The bank's time now."""
    return datetime.fromisoformat(http.get("/control/clock").json()["now"])


def test_moving_the_clock_settles_and_returns_payments_at_their_due_times(own_bank: httpx.Client) -> None:
    http = own_bank
    http.post("/control/behaviours", json={"behaviour": "return"}).raise_for_status()
    returned = http.post("/payments", json=body(), headers={"Idempotency-Key": new_key()}).json()
    plain = http.post("/payments", json=body(), headers={"Idempotency-Key": new_key()}).json()
    created = datetime.fromisoformat(plain["created_at"])
    assert http.get(f"/payments/{plain['payment_id']}").json()["status"] == "pending"
    target = created + timedelta(days=400)
    moved = http.put("/control/clock", json={"now": target.isoformat()})
    assert moved.status_code == 200, moved.text
    assert clock(http) >= target
    settled = http.get(f"/payments/{plain['payment_id']}").json()
    assert settled["status"] == "settled"
    assert datetime.fromisoformat(settled["settled_at"]) == created + timedelta(days=1)
    back = http.get(f"/payments/{returned['payment_id']}").json()
    assert back["status"] == "returned"
    gap = datetime.fromisoformat(back["returned_at"]) - datetime.fromisoformat(back["settled_at"])
    assert gap == timedelta(hours=1)
    later = http.post("/payments", json=body(), headers={"Idempotency-Key": new_key()}).json()
    assert datetime.fromisoformat(later["created_at"]) >= target
    report = http.get("/settlements", params={"since": created.isoformat()}).json()
    assert {e["payment_id"] for e in report["entries"]} == {plain["payment_id"], returned["payment_id"]}
    assert datetime.fromisoformat(report["until"]) >= target


def test_the_clock_never_moves_back_and_refuses_bad_times(own_bank: httpx.Client) -> None:
    http = own_bank
    now = clock(http)
    refused = http.put("/control/clock", json={"now": (now - timedelta(minutes=1)).isoformat()})
    assert refused.status_code == 409 and refused.json()["type"].endswith("/clock-moves-forward-only")
    for bad in ("2030-01-01T00:00:00", "9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+05:00", "soon"):
        response = http.put("/control/clock", json={"now": bad})
        assert response.status_code == 422, (bad, response.text)
    assert abs((clock(http) - now).total_seconds()) < 60  # nothing moved it


def test_a_reset_forgets_payments_behaviours_and_the_clock(own_bank: httpx.Client) -> None:
    http = own_bank
    key = new_key()
    http.post("/payments", json=body(), headers={"Idempotency-Key": key}).raise_for_status()
    http.post("/control/behaviours", json={"behaviour": "fail"}).raise_for_status()
    http.put("/control/clock", json={"now": (clock(http) + timedelta(days=3650)).isoformat()}).raise_for_status()
    assert http.post("/control/reset").json() == {"payments": 1}
    assert http.get("/payments", params={"idempotency_key": key}).status_code == 404
    assert http.get("/control/behaviours").json()["items"] == []
    assert clock(http) < datetime.now(UTC) + timedelta(minutes=1)
    again = http.post("/payments", json=body(), headers={"Idempotency-Key": key})
    assert again.status_code == 201 and again.json()["status"] == "pending"  # no longer failed, a new payment
