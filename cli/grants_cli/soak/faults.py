"""Seeded faults: a plan derived from the seed alone (so a failing seed replays), and the injector that carries it out.

Each fault fires just before a numbered workload action (an HTTP POST), so where it lands in the workload does not
depend on timing. What a fault picks at run time (which stream, the API of the next action) is chosen by numbers
fixed in the plan too.
"""

import random
from dataclasses import dataclass

KILL, PAUSE, REDIS_RESTART, BANK_OUTAGE = "kill", "pause", "redis-restart", "bank-outage"
DUPLICATE, REORDER, API_AFTER_COMMIT = "duplicate", "reorder", "api-after-commit"
KINDS = (KILL, PAUSE, REDIS_RESTART, BANK_OUTAGE, DUPLICATE, REORDER, API_AFTER_COMMIT)
PROCESSES = (
    "sandbox-bank",
    *(f"{svc}-{part}" for svc in ("applications", "allocation", "payments", "reporting") for part in ("api", "worker")),
)
NEXT_API = "the API of that action"


@dataclass(frozen=True)
class Fault:
    """One fault: before action `at_action`, do `kind` to `target` (for `seconds`, or to `entries` stream entries)."""

    at_action: int
    kind: str
    target: str
    seconds: float = 0.0
    entries: int = 0
    pick: int = 0  # which stream, among those existing when it fires (sorted), modulo their number

    def describe(self) -> str:
        """One line for the printed plan."""
        what = {
            KILL: f"SIGKILL {self.target}",
            PAUSE: f"SIGSTOP {self.target} for {self.seconds:.1f}s",
            REDIS_RESTART: "restart Redis",
            BANK_OUTAGE: f"bank down for {self.seconds:.1f}s",
            DUPLICATE: f"re-add the last {self.entries} entries of stream #{self.pick} (duplicates)",
            REORDER: f"re-add the last {self.entries} entries of stream #{self.pick} newest first (reordered)",
            API_AFTER_COMMIT: f"kill {self.target} after its commit, before its answer",
        }[self.kind]
        return f"before action {self.at_action:>5}: {what}"


def plan_faults(seed: int, count: int, actions: int) -> list[Fault]:
    """`count` faults spread over the first `actions` actions, every kind at least once when count allows."""
    rng = random.Random(seed)
    kinds = list(KINDS) if count >= len(KINDS) else rng.sample(KINDS, count)
    kinds += [rng.choice(KINDS) for _ in range(count - len(kinds))]
    rng.shuffle(kinds)
    slots = sorted(rng.sample(range(1, max(actions, count + 1)), count))
    return [_fault(rng, kind, at) for kind, at in zip(kinds, slots, strict=True)]


def _fault(rng: random.Random, kind: str, at: int) -> Fault:
    if kind in (KILL, PAUSE):
        return Fault(at, kind, rng.choice(PROCESSES), seconds=round(rng.uniform(0.5, 4.0), 1) if kind == PAUSE else 0)
    if kind == BANK_OUTAGE:
        return Fault(at, kind, "sandbox-bank", seconds=round(rng.uniform(2.0, 8.0), 1))
    if kind in (DUPLICATE, REORDER):
        return Fault(at, kind, "a stream", entries=rng.randint(5, 50), pick=rng.randrange(1000))
    if kind == API_AFTER_COMMIT:
        return Fault(at, kind, NEXT_API)
    return Fault(at, kind, "redis")


def render_plan(seed: int, faults: list[Fault]) -> str:
    """The plan as printed before a run: replaying the seed with the same options gives the same lines."""
    lines = [f"fault plan for seed {seed}: {len(faults)} fault(s)"]
    return "\n".join([*lines, *(f"  {fault.describe()}" for fault in faults)])
