"""Helpers that move money in tests: the worker's loop turns against a real sandbox bank, one call at a time."""

from sqlalchemy.orm import Session, sessionmaker

from grants_shared.delivery.writer import Database
from payments.adapters.provider import SandboxBankProvider
from payments.consumers.loops import dispatch_turn, poll_turn, returns_turn
from payments_tests.bank import Bank

Sessions = sessionmaker[Session]
ATTEMPTS = 3


def pay_what_is_released(sessions: Sessions, provider: SandboxBankProvider, bank: Bank) -> None:
    """Send created instructions to the bank, settle them there and record the outcome (as the worker would)."""
    dispatch_turn(Database(sessions), provider, max_attempts=ATTEMPTS)
    bank.settle_now()
    poll_turn(Database(sessions), provider, max_attempts=ATTEMPTS)
    returns_turn(Database(sessions), provider)
