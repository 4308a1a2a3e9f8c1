"""Asynchronous settlement: due payments settle (and returns come back), in the background and lazily on read."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.errors import Conflict

from .behaviours import RETURN_REASON
from .db import transaction
from .models import PENDING, RETURNED, SETTLED, BankClock, Payment, QueuedBehaviour

log = logging.getLogger(__name__)


class ClockBackwards(Conflict):
    """The bank's clock only moves forward."""

    default_code = "clock-moves-forward-only"
    default_title = "Conflict"


def locked_now(session: Session) -> datetime:
    """Start the session's (write-locked) transaction, then read the clock, so ``now`` orders like commits."""
    session.connection()
    clock = session.get(BankClock, 1)
    return datetime.now(UTC) + timedelta(seconds=clock.offset_seconds if clock else 0.0)


def set_clock(session: Session, to: datetime) -> datetime:
    """Move the bank's clock forward to ``to`` (pending payments then settle as if that time had passed)."""
    current = locked_now(session)
    if to < current:
        raise ClockBackwards(f"the bank's clock only moves forward: it is {current.isoformat()} already")
    clock = session.get(BankClock, 1) or BankClock(id=1, offset_seconds=0.0)
    clock.offset_seconds += (to - current).total_seconds()
    session.add(clock)
    session.flush()
    return to


def reset(session: Session) -> int:
    """Delete every payment, queued behaviour and clock offset; return how many payments there were."""
    forgotten = int(session.execute(delete(Payment)).rowcount or 0)  # type: ignore[attr-defined]
    session.execute(delete(QueuedBehaviour))
    session.execute(delete(BankClock))
    return forgotten


def sweep(session: Session, now: datetime) -> int:
    """Settle every payment due by ``now`` and return every return due by ``now``; return the rows changed."""
    settled = session.execute(
        update(Payment)
        .where(Payment.status == PENDING, Payment.settle_due_at <= now)
        .values(status=SETTLED, settled_at=Payment.settle_due_at)
        .execution_options(synchronize_session=False)
    )
    returned = session.execute(
        update(Payment)
        .where(Payment.status == SETTLED, Payment.return_due_at <= now)
        .values(status=RETURNED, returned_at=Payment.return_due_at, return_reason=RETURN_REASON)
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
    return int(settled.rowcount or 0) + int(returned.rowcount or 0)  # type: ignore[attr-defined]


def settle_now(session: Session, now: datetime) -> int:
    """Settle every pending payment at ``now``, due or not; a return still follows after its usual gap."""
    rows = list(session.scalars(select(Payment).where(Payment.status == PENDING)))
    for payment in rows:
        if payment.return_due_at is not None and payment.settle_due_at is not None:
            payment.return_due_at = now + (payment.return_due_at - payment.settle_due_at)
        payment.status, payment.settled_at, payment.settle_due_at = SETTLED, now, now
    return len(rows)


def report_rows(session: Session, since: datetime, until: datetime) -> list[tuple[Payment, str, datetime]]:
    """Settlement lines ``(payment, kind, occurred_at)`` with ``since <= occurred_at < until``, oldest first."""
    payments = session.scalars(
        select(Payment).where(
            or_(
                Payment.settled_at.between(since, until),
                Payment.returned_at.between(since, until),
            )
        )
    )
    lines: list[tuple[Payment, str, datetime]] = []
    for payment in payments:
        for kind, at in (("settled", payment.settled_at), ("returned", payment.returned_at)):
            if at is not None and since <= at < until:
                lines.append((payment, kind, at))
    lines.sort(key=lambda line: (line[2], line[0].id, line[1]))
    return lines


def sweep_once(factory: sessionmaker[Session]) -> int:
    """One background sweep in its own transaction."""
    with transaction(factory) as session:
        return sweep(session, locked_now(session))


async def run_settler(factory: sessionmaker[Session], interval_seconds: float) -> None:
    """Sweep forever (until cancelled); errors are logged and the loop carries on."""
    while True:
        try:
            changed = await asyncio.to_thread(sweep_once, factory)
            if changed:
                log.info("settlement sweep changed %d payment(s)", changed)
        except Exception:  # CancelledError is no Exception: cancelling still ends the loop
            log.exception("settlement sweep failed; retrying")
        await asyncio.sleep(interval_seconds)
