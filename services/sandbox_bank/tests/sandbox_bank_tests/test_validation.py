"""Bad input over real HTTP: always a 4xx problem+json, never a 500, and nothing written."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .testkit import PAYEE, Bank, body, new_key

PROBLEM_FIELDS = {"type", "title", "status", "detail"}
VALID_KEY = object()


def _assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    assert PROBLEM_FIELDS <= set(problem) and problem["status"] == status
    if status == 422:
        assert problem["errors"] and all({"loc", "msg", "type"} <= set(e) for e in problem["errors"])
    return problem


BAD_BODIES: dict[str, dict[str, Any]] = {
    "zero amount": body(amount_pence=0),
    "negative amount": body(amount_pence=-5),
    "fractional amount": body(amount_pence=12.5),
    "amount as string": body(amount_pence="100"),
    "amount as bool": body(amount_pence=True),
    "absurd amount": body(amount_pence=10**20),
    "euro": body(currency="EUR"),
    "no currency": {k: v for k, v in body().items() if k != "currency"},
    "short sort code": body(payee_account={**PAYEE, "sort_code": "12345"}),
    "dashed sort code": body(payee_account={**PAYEE, "sort_code": "12-34-56"}),
    "short account number": body(payee_account={**PAYEE, "account_number": "1234567"}),
    "empty payee name": body(payee_account={**PAYEE, "name": "  "}),
    "reference too long": body(reference="R" * 19),
    "reference with control char": body(reference="A\tB"),
    "client sets status": body(status="settled"),
    "payee missing": {k: v for k, v in body().items() if k != "payee_account"},
}


@pytest.mark.parametrize("name", sorted(BAD_BODIES))
def test_invalid_payment_bodies_are_422_and_write_nothing(bank: Bank, http: httpx.Client, name: str) -> None:
    key, before = new_key(), bank.count_payments()
    _assert_problem(http.post("/payments", json=BAD_BODIES[name], headers={"Idempotency-Key": key}), 422)
    assert bank.count_payments() == before
    _assert_problem(http.get("/payments", params={"idempotency_key": key}), 404)


@pytest.mark.parametrize(
    ("content", "headers", "status"),
    [
        (b'{"amount_pence": 1', {"content-type": "application/json"}, 422),
        (b"[1, 2]", {"content-type": "application/json"}, 422),
        (b"amount_pence=1", {"content-type": "application/x-www-form-urlencoded"}, 422),
        (b"{" + b" " * 70_000 + b"}", {"content-type": "application/json"}, 413),
    ],
    ids=["truncated json", "json array", "form body", "oversized body"],
)
def test_malformed_requests_are_4xx_problems(
    bank: Bank, http: httpx.Client, content: bytes, headers: dict[str, str], status: int
) -> None:
    key, before = new_key(), bank.count_payments()
    _assert_problem(http.post("/payments", content=content, headers={**headers, "Idempotency-Key": key}), status)
    assert bank.count_payments() == before


@pytest.mark.parametrize("key", [None, "", "k" * 256, "has space"], ids=["missing", "empty", "too long", "space"])
def test_missing_or_bad_idempotency_key_is_400(bank: Bank, http: httpx.Client, key: str | None) -> None:
    before = bank.count_payments()
    headers = {} if key is None else {"Idempotency-Key": key}
    problem = _assert_problem(http.post("/payments", json=body(), headers=headers), 400)
    assert problem["type"].endswith("idempotency-key-required")
    assert bank.count_payments() == before


@pytest.mark.parametrize(
    ("method", "url", "payload", "status"),
    [
        ("GET", "/payments/pay_does_not_exist", None, 404),
        ("GET", "/payments", None, 422),
        ("GET", "/settlements?since=yesterday", None, 422),
        ("GET", "/settlements?since=0001-01-01T00:00:00%2B05:00", None, 422),
        ("POST", "/control/behaviours", {"behaviour": "explode"}, 422),
        ("POST", "/control/behaviours", {"behaviour": "fail", "count": 0}, 422),
        ("POST", "/control/behaviours", {"behaviour": "alter_amount"}, 422),
        ("POST", "/control/behaviours", {"behaviour": "alter_amount", "amount_delta_pence": 0}, 422),
        ("POST", "/control/behaviours", {"behaviour": "alter_amount", "amount_delta_pence": "5"}, 422),
        ("POST", "/control/behaviours", {"behaviour": "alter_amount", "amount_delta_pence": 1.5}, 422),
        ("POST", "/control/behaviours", {"behaviour": "fail", "amount_delta_pence": 5}, 422),
        ("GET", "/no/such/route", None, 404),
        ("PUT", "/payments", None, 405),
    ],
)
def test_other_errors_are_problems(
    http: httpx.Client, method: str, url: str, payload: dict[str, Any] | None, status: int
) -> None:
    _assert_problem(http.request(method, url, json=payload), status)
    assert http.get("/control/behaviours").json()["items"] == []
