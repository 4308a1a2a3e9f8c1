"""The worker's loops, one turn at a time: dispatch created instructions, poll outcomes, read returns."""

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.crash import crash_point
from grants_shared.uow import UnitOfWork
from payments.adapters.orm import Grant, PaymentInstruction, ProviderCursor
from payments.adapters.provider import (
    Payee,
    PaymentProvider,
    ProviderError,
    ProviderPayment,
    ProviderRejected,
    ProviderTimeout,
)
from payments.payment_flow import apply_outcome, record_instructed, record_rejected
from payments.settlement_flow import mark_returned
from payments.statuses import CREATED, INSTRUCTED, SETTLED
from payments.times import Clock, system_clock, utc

log = logging.getLogger(__name__)
Sessions = sessionmaker[Session]


def dispatch_turn(
    sessions: Sessions, provider: PaymentProvider, *, max_attempts: int, batch: int = 50, clock: Clock = system_clock
) -> int:
    """Send every created instruction to the provider (outside any transaction); returns how many were tried."""
    with sessions() as session:
        rows = session.execute(
            select(PaymentInstruction, Grant).join(Grant, Grant.grant_id == PaymentInstruction.grant_id)
            .where(PaymentInstruction.status == CREATED).order_by(PaymentInstruction.created_at).limit(batch)
        ).all()  # fmt: skip
    for instruction, grant in rows:
        dispatch_one(sessions, provider, instruction, grant, max_attempts=max_attempts, clock=clock)
    return len(rows)


def _ask(provider: PaymentProvider, key: str) -> ProviderPayment | None:
    """Resolve an ambiguous outcome by asking the provider; None while it still cannot say."""
    try:
        return provider.find_by_key(key)
    except ProviderError as error:
        log.warning("could not ask the provider about %s: %s", key, error)
        return None


def dispatch_one(
    sessions: Sessions, provider: PaymentProvider, ins: PaymentInstruction, grant: Grant, *, max_attempts: int,
    clock: Clock = system_clock,
) -> None:  # fmt: skip
    """One instruction: call the provider with its id as idempotency key, then record the answer once."""
    payee = Payee(grant.payee_name, grant.payee_sort_code, grant.payee_account_number)
    crash_point("payments.before_bank_call")
    try:
        payment: ProviderPayment | None = provider.create_payment(
            idempotency_key=ins.instruction_id, amount_pence=ins.amount_pence, payee=payee, reference=ins.reference
        )
    except ProviderTimeout as error:
        log.warning("instruction %s: %s; asking the provider", ins.instruction_id, error)
        payment = _ask(provider, ins.instruction_id)
    except ProviderRejected as error:
        if error.status != 409:
            with UnitOfWork(sessions) as uow:
                record_rejected(uow, ins.instruction_id, str(error), max_attempts, clock)
                uow.commit()
            return
        payment = _ask(provider, ins.instruction_id)  # the key is known there already: its payment stands
    if payment is None:
        return  # the provider never got it: it stays "created" and goes again next turn, same key
    crash_point("payments.after_bank_call")
    with UnitOfWork(sessions) as uow:
        if record_instructed(uow, ins.instruction_id, payment, provider.name, clock) and payment.status != "pending":
            apply_outcome(uow, ins.instruction_id, payment, max_attempts, clock)
        uow.commit()


def poll_turn(
    sessions: Sessions, provider: PaymentProvider, *, max_attempts: int, batch: int = 200, clock: Clock = system_clock
) -> int:
    """Ask the provider about every instructed payment and apply the settled or failed ones."""
    with sessions() as session:
        rows = session.execute(
            select(PaymentInstruction.instruction_id, PaymentInstruction.provider_payment_id)
            .where(PaymentInstruction.status == INSTRUCTED).order_by(PaymentInstruction.instructed_at).limit(batch)
        ).all()  # fmt: skip
    for instruction_id, payment_id in rows:
        if payment_id is None:
            continue  # an instructed row always has it; skip rather than guess
        try:
            payment = provider.get(payment_id)
        except ProviderError as error:
            log.warning("could not poll %s (%s): %s", instruction_id, payment_id, error)
            continue
        if payment.status != "pending":
            with UnitOfWork(sessions) as uow:
                apply_outcome(uow, instruction_id, payment, max_attempts, clock)
                uow.commit()
    return len(rows)


def returns_turn(
    sessions: Sessions, provider: PaymentProvider, cursor_name: str = "settlements", clock: Clock = system_clock
) -> int:
    """Read the provider's settlement report from the stored cursor and apply returns of settled payments."""
    with sessions() as session:
        cursor = session.get(ProviderCursor, cursor_name)
        since = utc(cursor.position) if cursor and cursor.position else None
    report = provider.settlements(since)
    applied = 0
    for line in report.lines:
        if line.kind != "returned":
            continue  # settlements are applied by polling each instructed payment
        with UnitOfWork(sessions) as uow:
            ins: Any = uow.session.get(PaymentInstruction, line.idempotency_key)
            if ins is not None and ins.status == SETTLED:
                mark_returned(uow, ins.instruction_id, utc(line.occurred_at), line.reason or "returned", clock)
                applied += 1
            uow.commit()
    with UnitOfWork(sessions) as uow:
        row = uow.session.get(ProviderCursor, cursor_name) or ProviderCursor(name=cursor_name)
        row.position = utc(report.until)
        uow.session.add(row)
        uow.commit()
    return applied
