"""The seven IoD domains as a generic record, and exact half-even rounding of ratios."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, TypeVar

T = TypeVar("T")
DOMAIN_NAMES = ("income", "employment", "education", "health", "crime", "barriers", "living_environment")


def ratio_2dp(numerator: int, denominator: int) -> Decimal:
    """numerator / denominator rounded half-to-even to 2 dp, with integer arithmetic only."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    quotient, remainder = divmod(numerator * 100, denominator)
    if 2 * remainder > denominator or (2 * remainder == denominator and quotient % 2 == 1):
        quotient += 1
    return Decimal(quotient).scaleb(-2)


@dataclass(frozen=True, slots=True)
class Domains(Generic[T]):
    """One value per IoD domain, in the official order (income ... living environment)."""

    income: T
    employment: T
    education: T
    health: T
    crime: T
    barriers: T
    living_environment: T

    @classmethod
    def of(cls, values: Iterable[T]) -> Domains[T]:
        """Build from seven values in official domain order."""
        items = tuple(values)
        if len(items) != len(DOMAIN_NAMES):
            raise ValueError(f"expected {len(DOMAIN_NAMES)} domain values, got {len(items)}")
        return cls(*items)

    def values(self) -> tuple[T, ...]:
        """The seven values in official domain order."""
        return tuple(getattr(self, name) for name in DOMAIN_NAMES)
