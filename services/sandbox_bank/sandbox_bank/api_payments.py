"""Payment and settlement-report routes."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Header, Query, Response
from fastapi.concurrency import run_in_threadpool

from grants_shared.clock import as_utc
from grants_shared.errors import Invalid, NotFound
from grants_shared.http.problems import Problem

from . import service, settlement
from .db import transaction
from .deps import CurrentSettings, Sessions
from .schemas import PaymentIn, PaymentOut, SettlementEntry, SettlementReport

KEY_PATTERN = re.compile(r"^[!-~]{1,255}$")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
router = APIRouter()


def _aware(value: datetime, name: str) -> datetime:
    """The datetime in UTC (naive is taken as UTC); 422 if it cannot be expressed in UTC."""
    try:
        return as_utc(value)
    except OverflowError:
        error = {"loc": ["query", name], "msg": "date out of range in UTC", "type": "value_error"}
        raise Invalid(
            "the request is not valid", code="validation-error", title="Unprocessable Entity", errors=[error]
        ) from None


@router.post("/payments", status_code=201, response_model=PaymentOut, tags=["payments"])
async def create_payment(
    data: PaymentIn,
    factory: Sessions,
    settings: CurrentSettings,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> Response:
    """Instruct a payment; a retry with the same key and body replays the first response."""
    if idempotency_key is None or not KEY_PATTERN.match(idempotency_key):
        detail = "an Idempotency-Key header of 1-255 printable characters is required"
        raise Problem(400, "idempotency-key-required", "Bad Request", detail)
    outcome = await run_in_threadpool(service.create_or_replay, factory, settings, idempotency_key, data)
    if outcome.response_delay_seconds:
        await asyncio.sleep(outcome.response_delay_seconds)  # injected "timeout": recorded, answered late
    headers = {"Location": f"/payments/{outcome.payment_id}"}
    if outcome.replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(outcome.body, status_code=outcome.status_code, media_type="application/json", headers=headers)


@router.get("/payments/{payment_id}", response_model=PaymentOut, tags=["payments"])
def get_payment(payment_id: str, factory: Sessions) -> PaymentOut:
    """A payment by id, with its current status."""
    found = service.read_payment(factory, payment_id=payment_id)
    if found is None:
        raise NotFound(f"no payment {payment_id!r}", code="payment-not-found", title="Not Found")
    return found


@router.get("/payments", response_model=PaymentOut, tags=["payments"])
def find_payment(idempotency_key: Annotated[str, Query(min_length=1, max_length=255)], factory: Sessions) -> PaymentOut:
    """The payment created for an idempotency key: how a client resolves a timeout."""
    found = service.read_payment(factory, key=idempotency_key)
    if found is None:
        raise NotFound("no payment was created with this idempotency key", code="payment-not-found", title="Not Found")
    return found


@router.get("/settlements", response_model=SettlementReport, tags=["settlements"])
def settlements(factory: Sessions, since: datetime | None = None, until: datetime | None = None) -> SettlementReport:
    """Settlement report: settled and returned lines with since <= occurred_at < until (until defaults to now)."""
    with transaction(factory) as session:
        now = settlement.locked_now(session)
        settlement.sweep(session, now)
        start, end = _aware(since or EPOCH, "since"), min(_aware(until or now, "until"), now)
        entries = [
            SettlementEntry(
                payment_id=p.id,
                idempotency_key=p.idempotency_key,
                reference=p.reference,
                amount_pence=p.amount_pence,
                currency=p.currency,
                kind=kind,
                occurred_at=at,
                reason=p.return_reason if kind == "returned" else None,
                payment_status=p.status,
            )
            for p, kind, at in settlement.report_rows(session, start, end)
        ]
    return SettlementReport(since=start, until=end, entries=entries)
