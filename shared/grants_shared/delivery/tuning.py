"""How a consumer group paces itself, from the platform settings."""

from dataclasses import dataclass

from grants_shared.settings import PlatformSettings


@dataclass(frozen=True)
class ConsumerTuning:
    """Batch size, read wait, claim and dead-letter thresholds, and how long an event may stay parked."""

    batch: int = 200
    block_ms: int = 1000
    claim_idle_ms: int = 1000
    max_deliveries: int = 5
    park_timeout_s: float = 3600.0
    sweep_every_s: float = 1.0

    @property
    def claim_every_s(self) -> float:
        """How often stale pending entries are looked for."""
        return max(0.1, self.claim_idle_ms / 2000)

    @property
    def touch_every_s(self) -> float:
        """How often entries still being applied are touched, well inside the claim threshold."""
        return max(0.05, self.claim_idle_ms / 3000)

    @classmethod
    def from_settings(cls, settings: PlatformSettings) -> "ConsumerTuning":
        """The tuning the environment asks for."""
        return cls(
            batch=settings.consumer_batch,
            block_ms=settings.consumer_block_ms,
            claim_idle_ms=settings.claim_idle_ms,
            max_deliveries=settings.max_deliveries,
            park_timeout_s=settings.park_timeout_s,
        )
