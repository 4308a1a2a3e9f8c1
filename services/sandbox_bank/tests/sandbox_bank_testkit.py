"""Helpers shared by the sandbox bank tests (payment bodies, unique keys, polling)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
PAYEE = {"name": "Ward 12 Partnership", "sort_code": "123456", "account_number": "12345678"}


def new_key() -> str:
    """A fresh idempotency key."""
    return f"test-{uuid.uuid4()}"


def new_reference() -> str:
    """A fresh bank reference (18 characters at most)."""
    return f"T{uuid.uuid4().hex[:12].upper()}"


def body(amount_pence: int = 12_345, reference: str | None = None, **overrides: Any) -> dict[str, Any]:
    """A valid payment request body."""
    return {"amount_pence": amount_pence, "currency": "GBP", "payee_account": dict(PAYEE),
            "reference": reference or new_reference(), **overrides}  # fmt: skip


def poll(read: Callable[[], T], done: Callable[[T], bool], timeout: float = 10.0, every: float = 0.05) -> T:
    """Call ``read`` until ``done`` holds for its result; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s; last value: {value!r}")
        time.sleep(every)
