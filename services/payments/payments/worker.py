"""The payments worker: consumers, the outbox relay and the payment loops; `python -m payments.worker`."""

import asyncio
import logging
from collections.abc import Callable

from faststream import FastStream

from grants_shared.clock import system_clock
from grants_shared.delivery.backoff import Backoff
from grants_shared.delivery.writer import Database
from grants_shared.events import (
    Event,
    GrantClosed,
    GrantCompleted,
    GrantVaried,
    PaymentFailed,
    PaymentInstructed,
    PaymentReturned,
    PaymentSettled,
    ReconciliationDifferenceFound,
    ReconciliationDifferenceResolved,
    TrancheHeld,
    TrancheReleased,
    TrancheResumed,
    TrancheScheduled,
)
from grants_shared.worker import WorkerContext, WorkerSpec, create_worker, run
from payments import bootstrap
from payments.adapters.provider import PaymentProvider, ProviderError
from payments.consumers import loops
from payments.consumers.events import consumed
from payments.usecases import conditions, reconciliation

log = logging.getLogger(__name__)
PUBLISHES: list[type[Event]] = [
    TrancheScheduled,
    TrancheReleased,
    TrancheHeld,
    TrancheResumed,
    PaymentInstructed,
    PaymentSettled,
    PaymentFailed,
    PaymentReturned,
    GrantCompleted,
    GrantVaried,
    GrantClosed,
    ReconciliationDifferenceFound,
    ReconciliationDifferenceResolved,
]


async def _forever(name: str, context: WorkerContext, turn: Callable[[Database, PaymentProvider], int]) -> None:
    """Run a loop's turns in a thread (never blocking the consumer), pausing when there was nothing to do.

    A provider that does not answer is given time: the pause doubles (with jitter) up to 30 s, and is back to the
    poll interval after the first answer.
    """
    provider = bootstrap.provider()
    interval = bootstrap.settings().poll_interval_s
    db, backoff = Database(context.sessions, context.writer), Backoff(first_s=interval, cap_s=30.0)
    try:
        while True:
            try:
                busy = await asyncio.to_thread(turn, db, provider)
                backoff.reset()
            except ProviderError as error:
                delay = backoff.next_delay()
                log.warning("%s: the provider is not answering (%s); next try in %.1f s", name, error, delay)
                await asyncio.sleep(delay)
                continue
            except Exception:
                log.exception("%s turn failed; retrying", name)
                await asyncio.sleep(backoff.next_delay())
                continue
            if not busy:
                await asyncio.sleep(interval)
    finally:
        provider.close()


async def dispatch_instructions(context: WorkerContext) -> None:
    """Send created payment instructions to the provider, forever."""
    cfg = bootstrap.settings()
    await _forever(
        "dispatch_instructions",
        context,
        lambda db, p: loops.dispatch_turn(db, p, max_attempts=cfg.max_payment_attempts),
    )


def _guarded(name: str, step: Callable[[], int]) -> None:
    """One step of the housekeeping turn; a failure is logged and the other steps still run."""
    try:
        step()
    except ProviderError as error:  # the bank is down or slow: expected now and then, no stack trace
        log.warning("%s: the provider did not answer (%s); retrying next turn", name, error)
    except Exception:
        log.exception("%s failed; retrying next turn", name)


async def poll_settlements(context: WorkerContext) -> None:
    """Apply outcomes and returns from the provider, hold or release tranches falling due, reconcile, forever."""
    cfg = bootstrap.settings()

    def turn(db: Database, provider: PaymentProvider) -> int:
        """One turn: outcomes of instructed payments, returns, tranches due, then reconciliation."""
        _guarded("polling", lambda: loops.poll_turn(db, provider, max_attempts=cfg.max_payment_attempts))
        skew_s = cfg.provider_clock_skew_s
        _guarded("returns", lambda: loops.returns_turn(db, provider, skew_s=skew_s))
        _guarded("tranches due", lambda: conditions.due_turn(db, policy=bootstrap.policy(), clock=system_clock))
        _guarded(
            "reconciliation",
            lambda: reconciliation.reconcile_turn(db, provider, grace_s=cfg.reconcile_grace_s, skew_s=skew_s),
        )
        return 0  # polling always waits for the interval: the provider settles in its own time

    await _forever("poll_settlements", context, turn)


def create_app() -> FastStream:
    """Build the FastStream worker (migrating the database first when configured)."""
    bootstrap.policy()  # a malformed policy document stops the worker here, not at the first release
    bootstrap.runtime.migrate_on_start()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per provider request drowns the log
    settings = bootstrap.settings()
    app = create_worker(
        WorkerSpec(
            service="payments",
            sessions=bootstrap.sessions(),
            settings=settings,
            consumes=consumed(settings),
            publishes=PUBLISHES,
            loops=[dispatch_instructions, poll_settlements],
        )
    )
    return app


if __name__ == "__main__":
    run(create_app())
