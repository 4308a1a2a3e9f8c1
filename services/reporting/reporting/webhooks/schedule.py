"""When a failed delivery is tried again: a schedule as data, full jitter, for a day."""

import random
from datetime import datetime, timedelta

RETRY_STEPS_S: tuple[int, ...] = (5, 300, 1800, 7200, 18000, 36000)
"""The upper bound of the wait after the 1st, 2nd... failure (the last repeats): 5s, 5m, 30m, 2h, 5h, 10h."""

GIVE_UP_AFTER = timedelta(days=1)
"""A delivery still failing a day after its first attempt is given up (replay can send it again)."""


def next_attempt(failures: int, now: datetime, rng: random.Random | None = None) -> datetime:
    """When to try again after `failures` failed attempts: uniformly between now and the step's bound (full jitter)."""
    step = RETRY_STEPS_S[min(failures, len(RETRY_STEPS_S)) - 1]
    return now + timedelta(seconds=(rng or random).uniform(0, step))


def given_up(first_attempt_at: datetime, now: datetime) -> bool:
    """True when a delivery has been retried for a day."""
    return now - first_attempt_at >= GIVE_UP_AFTER
