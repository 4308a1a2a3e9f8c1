"""Use cases of the allocation service; each takes a unit of work (or a session for reads), none commits."""

from allocation.handlers.queries import get_round, get_run, latest_decision, list_decisions, list_rounds, list_runs
from allocation.handlers.rounds import close_round, open_round
from allocation.handlers.runs import run_allocation
from allocation.handlers.verification import verify_run

__all__ = [
    "close_round",
    "get_round",
    "get_run",
    "latest_decision",
    "list_decisions",
    "list_rounds",
    "list_runs",
    "open_round",
    "run_allocation",
    "verify_run",
]
