"""Back-off for loops that talk to something that can be down (Redis, the bank, the database)."""

import asyncio
import random


class Backoff:
    """Exponential delays with full jitter, from `first_s` up to `cap_s`; `reset` after a success."""

    def __init__(self, first_s: float = 0.05, cap_s: float = 2.0) -> None:
        self.first_s, self.cap_s = first_s, cap_s
        self.failures = 0

    def next_delay(self) -> float:
        """The delay before the next try, counting one more failure."""
        self.failures += 1
        ceiling = min(self.cap_s, self.first_s * 2 ** (self.failures - 1))
        return random.uniform(ceiling / 2, ceiling)

    async def sleep(self) -> None:
        """Sleep for the next delay."""
        await asyncio.sleep(self.next_delay())

    def reset(self) -> None:
        """Start again from the first delay."""
        self.failures = 0
