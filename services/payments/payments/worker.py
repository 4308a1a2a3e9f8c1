"""The payments worker: consumers, the outbox relay and the payment loops; `python -m payments.worker`."""

import asyncio
import logging
from collections.abc import Callable

from faststream import FastStream
from faststream.redis import RedisBroker

from grants_shared.events import (
    GrantAwarded,
    GrantCompleted,
    PartnershipChanged,
    PaymentFailed,
    PaymentInstructed,
    PaymentReturned,
    PaymentSettled,
    ReportAccepted,
    TrancheHeld,
    TrancheReleased,
    TrancheScheduled,
)  # fmt: skip
from grants_shared.worker import WorkerSpec, create_worker, run
from payments import bootstrap, loops
from payments.adapters.provider import PaymentProvider, ProviderError
from payments.consumers import on_grant_awarded, on_partnership_changed, on_report_accepted

log = logging.getLogger(__name__)
PUBLISHES = [TrancheScheduled, TrancheReleased, TrancheHeld, PaymentInstructed, PaymentSettled, PaymentFailed,
             PaymentReturned, GrantCompleted]  # fmt: skip


async def _forever(name: str, turn: Callable[[PaymentProvider], int]) -> None:
    """Run a loop's turns in a thread (never blocking the broker), pausing when there was nothing to do."""
    provider = bootstrap.provider()
    interval = bootstrap.settings().poll_interval_s
    try:
        while True:
            try:
                busy = await asyncio.to_thread(turn, provider)
            except Exception:
                log.exception("%s turn failed; retrying", name)
                busy = 0
            if not busy:
                await asyncio.sleep(interval)
    finally:
        provider.close()


async def dispatch_instructions(broker: RedisBroker) -> None:
    """Send created payment instructions to the provider, forever."""
    cfg = bootstrap.settings()
    await _forever("dispatch_instructions", lambda p: loops.dispatch_turn(
        bootstrap.sessions(), p, max_attempts=cfg.max_payment_attempts))  # fmt: skip


async def poll_settlements(broker: RedisBroker) -> None:
    """Apply settled, failed and returned payments from the provider, forever."""
    cfg = bootstrap.settings()

    def turn(provider: PaymentProvider) -> int:
        """One polling turn: outcomes of instructed payments, then returns from the settlement report."""
        loops.poll_turn(bootstrap.sessions(), provider, max_attempts=cfg.max_payment_attempts)
        try:
            loops.returns_turn(bootstrap.sessions(), provider)
        except ProviderError as error:
            log.warning("could not read the settlement report: %s", error)
        return 0  # polling always waits for the interval: the provider settles in its own time

    await _forever("poll_settlements", turn)


def create_app() -> FastStream:
    """Build the FastStream worker (migrating the database first when configured)."""
    bootstrap.prepare_database()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per provider request drowns the log
    consumes = [(GrantAwarded, on_grant_awarded), (ReportAccepted, on_report_accepted),
                (PartnershipChanged, on_partnership_changed)]  # fmt: skip
    app = create_worker(
        WorkerSpec(
            service="payments", sessions=bootstrap.sessions(), settings=bootstrap.settings(), consumes=consumes,
            publishes=PUBLISHES, loops=[dispatch_instructions, poll_settlements],
        )  # fmt: skip
    )
    return app


if __name__ == "__main__":
    run(create_app())
