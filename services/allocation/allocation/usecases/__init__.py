"""Use cases of the allocation service; each takes a unit of work (or a session), none commits, none knows HTTP."""

from allocation.usecases.diffing import diff_runs
from allocation.usecases.rounds import OpenRound, close_round, open_round
from allocation.usecases.runs import RunDone, run_allocation
from allocation.usecases.verification import Verification, verify_run

__all__ = [
    "OpenRound",
    "RunDone",
    "Verification",
    "close_round",
    "diff_runs",
    "open_round",
    "run_allocation",
    "verify_run",
]
