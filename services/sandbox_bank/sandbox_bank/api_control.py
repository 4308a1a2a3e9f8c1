"""Control routes (failure injection, settle-now) and health probes."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter
from sqlalchemy import text

from grants_shared.errors import Invalid
from grants_shared.http.problems import Problem

from . import behaviours, settlement
from .db import transaction
from .deps import Sessions
from .models import QueuedBehaviour
from .schemas import (
    BehaviourIn,
    BehaviourList,
    BehaviourOut,
    ClearedOut,
    ClockIn,
    ClockOut,
    Health,
    ResetOut,
    SettleNowOut,
)

router = APIRouter()
LATEST = datetime(2200, 1, 1, tzinfo=UTC)  # far enough for any grant, far from datetime's limits


def _out(row: QueuedBehaviour) -> BehaviourOut:
    return BehaviourOut(
        id=row.id,
        behaviour=row.behaviour,
        remaining=row.remaining,
        match_reference=row.match_reference,
        amount_delta_pence=row.amount_delta_pence,
        created_at=row.created_at,
    )


@router.post("/control/behaviours", status_code=201, response_model=BehaviourOut, tags=["control"])
def queue_behaviour(data: BehaviourIn, factory: Sessions) -> BehaviourOut:
    """Queue a behaviour (fail, timeout, return, delay, alter_amount) for the next matching new payments."""
    with transaction(factory) as session:
        now = settlement.locked_now(session)
        row = behaviours.queue(session, data.behaviour, data.count, data.match_reference, now, data.amount_delta_pence)
        return _out(row)


@router.get("/control/behaviours", response_model=BehaviourList, tags=["control"])
def list_behaviours(factory: Sessions) -> BehaviourList:
    """Behaviours still queued, in the order they will apply."""
    with transaction(factory) as session:
        return BehaviourList(items=[_out(row) for row in behaviours.list_queued(session)])


@router.delete("/control/behaviours", response_model=ClearedOut, tags=["control"])
def clear_behaviours(factory: Sessions) -> ClearedOut:
    """Remove every queued behaviour."""
    with transaction(factory) as session:
        return ClearedOut(cleared=behaviours.clear(session))


@router.post("/control/settle-now", response_model=SettleNowOut, tags=["control"])
def settle_now(factory: Sessions) -> SettleNowOut:
    """Settle every pending payment now, due or not (failed payments stay failed)."""
    with transaction(factory) as session:
        return SettleNowOut(settled=settlement.settle_now(session, settlement.locked_now(session)))


@router.post("/control/reset", response_model=ResetOut, tags=["control"])
def reset(factory: Sessions) -> ResetOut:
    """Forget every payment, queued behaviour and clock move: a clean bank for the next simulation."""
    with transaction(factory) as session:
        return ResetOut(payments=settlement.reset(session))


@router.get("/control/clock", response_model=ClockOut, tags=["control"])
def read_clock(factory: Sessions) -> ClockOut:
    """The bank's current time."""
    with transaction(factory) as session:
        return ClockOut(now=settlement.locked_now(session))


@router.put("/control/clock", response_model=ClockOut, tags=["control"])
def move_clock(data: ClockIn, factory: Sessions) -> ClockOut:
    """Move the bank's clock forward (for simulations); payments then settle and return by the new time."""
    if data.now.utcoffset() is None:
        raise Invalid("the time must carry a timezone offset", code="validation-error", title="Unprocessable Entity")
    try:
        to = data.now.astimezone(UTC)
    except OverflowError:
        to = LATEST
    if to >= LATEST:
        raise Invalid(
            f"the bank's clock stops short of {LATEST.year}", code="validation-error", title="Unprocessable Entity"
        )
    with transaction(factory) as session:
        return ClockOut(now=settlement.set_clock(session, to))


@router.get("/healthz", response_model=Health, tags=["health"])
def healthz() -> Health:
    """Liveness: the process answers."""
    return Health(status="ok")


@router.get("/readyz", response_model=Health, tags=["health"])
def readyz(factory: Sessions) -> Health:
    """Readiness: the database answers."""
    try:
        with factory() as session:
            session.execute(text("SELECT 1"))
    except Exception as exc:
        raise Problem(503, "not-ready", "Service Unavailable", f"database unavailable: {type(exc).__name__}") from None
    return Health(status="ready")
