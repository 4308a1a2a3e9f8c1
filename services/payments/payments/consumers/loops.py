"""The worker's loops, one turn at a time: dispatch created instructions, poll outcomes, read returns.

Each turn reads from a read-only snapshot, talks to the provider outside any transaction, and writes what the
provider said as a unit of work on the database writer. A turn returns how many things it finished; a provider
error raises, so the loop backs off instead of trying again at once.
"""

import logging
from functools import partial

from sqlalchemy import select

from grants_shared.clock import Clock, system_clock
from grants_shared.crash import crash_point
from grants_shared.delivery.writer import Database
from grants_shared.grant_trace import grant_span
from grants_shared.uow import UnitOfWork
from payments.adapters.orm import Grant, PaymentInstruction
from payments.adapters.provider import (
    Payee,
    PaymentProvider,
    ProviderError,
    ProviderPayment,
    ProviderRejected,
    ProviderTimeout,
)
from payments.adapters.records import SETTLEMENTS_CURSOR
from payments.domain.statuses import CREATED, INSTRUCTED
from payments.usecases.cursors import DEFAULT_SKEW_S, clamp_cursor, keep_cursor, read_cursor
from payments.usecases.returns import apply_returned_line
from payments.usecases.settlement import answer_disagrees, apply_outcome, record_instructed, record_rejected

log = logging.getLogger(__name__)


def dispatch_turn(
    db: Database, provider: PaymentProvider, *, max_attempts: int, batch: int = 50, clock: Clock = system_clock
) -> int:
    """Send created instructions to the provider (outside any transaction); returns how many it answered.

    Raises ProviderError when the provider answered none of them (it is down): the caller backs off.
    """
    with db.reading() as session:
        rows = session.execute(
            select(PaymentInstruction, Grant)
            .join(Grant, Grant.grant_id == PaymentInstruction.grant_id)
            .where(PaymentInstruction.status == CREATED)
            .order_by(PaymentInstruction.created_at)
            .limit(batch)
        ).all()
    answered = sum(
        dispatch_one(db, provider, ins, grant, max_attempts=max_attempts, clock=clock) for ins, grant in rows
    )
    if rows and not answered:
        raise ProviderError(f"the provider answered none of {len(rows)} instruction(s)")
    return answered


def _ask(provider: PaymentProvider, key: str) -> ProviderPayment | None:
    """Resolve an ambiguous outcome by asking the provider; None while it still cannot say."""
    try:
        return provider.find_by_key(key)
    except ProviderError as error:
        log.warning("could not ask the provider about %s: %s", key, error)
        return None


def dispatch_one(
    db: Database,
    provider: PaymentProvider,
    ins: PaymentInstruction,
    grant: Grant,
    *,
    max_attempts: int,
    clock: Clock = system_clock,
) -> bool:
    """One instruction: call the provider with its id as idempotency key, then record the answer once.

    Returns whether the provider answered (False: it stays created and goes again, with the same key). An answer
    about another instruction is raised as a difference and not recorded: it too stays created.
    """
    with grant_span("payments dispatch instruction", grant.grant_id, attributes={"instruction.id": ins.instruction_id}):
        return _dispatch_one(db, provider, ins, grant, max_attempts=max_attempts, clock=clock)


def _dispatch_one(
    db: Database, provider: PaymentProvider, ins: PaymentInstruction, grant: Grant, *, max_attempts: int, clock: Clock
) -> bool:
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
        if error.http_status != 409:
            reason = str(error)
            db.transact(lambda uow: record_rejected(uow, ins.instruction_id, reason, max_attempts, clock))
            return True
        payment = _ask(provider, ins.instruction_id)  # the key is known there already: its payment stands
    if payment is None:
        return False  # the provider never got it: it stays "created" and goes again next turn, same key
    crash_point("payments.after_bank_call")
    answer = payment

    def record(uow: UnitOfWork) -> bool:
        if answer_disagrees(uow, ins.instruction_id, answer, clock):
            return False
        if record_instructed(uow, ins.instruction_id, answer, provider.name, clock) and answer.status != "pending":
            apply_outcome(uow, ins.instruction_id, answer, max_attempts, clock)
        return True

    return bool(db.transact(record))


def poll_turn(
    db: Database, provider: PaymentProvider, *, max_attempts: int, batch: int = 200, clock: Clock = system_clock
) -> int:
    """Ask the provider about every instructed payment and apply the settled or failed ones; returns how many answered.

    Raises ProviderError when the provider answered none of the polls (it is down): the caller backs off.
    """
    with db.reading() as session:
        rows = session.execute(
            select(
                PaymentInstruction.instruction_id, PaymentInstruction.provider_payment_id, PaymentInstruction.grant_id
            )
            .where(PaymentInstruction.status == INSTRUCTED)
            .order_by(PaymentInstruction.instructed_at)
            .limit(batch)
        ).all()
    outcomes, unanswered = [], 0
    for instruction_id, payment_id, grant_id in rows:
        if payment_id is None:
            continue  # an instructed row always has it; skip rather than guess
        try:
            with grant_span("payments poll payment", grant_id, attributes={"instruction.id": instruction_id}):
                payment = provider.get(payment_id)
        except ProviderError as error:
            log.warning("could not poll %s (%s): %s", instruction_id, payment_id, error)
            unanswered += 1
            continue
        if payment.status != "pending":
            outcomes.append((instruction_id, grant_id, payment))
    if rows and unanswered == len(rows):
        raise ProviderError(f"the provider answered none of {len(rows)} poll(s)")
    for instruction_id, grant_id, payment in outcomes:  # one transaction each: one bad outcome holds up no other
        with grant_span("payments apply outcome", grant_id, attributes={"instruction.id": instruction_id}):
            db.transact(
                partial(
                    _apply_outcome,
                    instruction_id=instruction_id,
                    payment=payment,
                    max_attempts=max_attempts,
                    clock=clock,
                )
            )
    return len(rows) - unanswered


def _apply_outcome(
    uow: UnitOfWork, *, instruction_id: str, payment: ProviderPayment, max_attempts: int, clock: Clock
) -> None:
    apply_outcome(uow, instruction_id, payment, max_attempts, clock)


def returns_turn(
    db: Database,
    provider: PaymentProvider,
    cursor_name: str = SETTLEMENTS_CURSOR,
    clock: Clock = system_clock,
    skew_s: float = DEFAULT_SKEW_S,
) -> int:
    """Read the provider's settlement report from the stored cursor and apply returns of settled payments.

    A returned line is applied only when its instruction, payment id and amount are those of our payment; one that
    disagrees is raised as a difference. The cursor handed back is kept no later than our clock plus `skew_s`.
    """
    with db.reading() as session:
        since = read_cursor(session, cursor_name, clock, skew_s)
    report = provider.settlements(since)
    until = clamp_cursor(report.until, cursor_name, clock, skew_s)

    def apply(uow: UnitOfWork) -> int:
        applied = sum(apply_returned_line(uow, line, clock) for line in report.lines if line.kind == "returned")
        keep_cursor(uow.session, cursor_name, until)
        return applied

    return db.transact(apply)
