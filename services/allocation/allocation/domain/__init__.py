"""Least-first allocation domain: pure rules over column arrays, no I/O."""

from allocation.domain.arrays import ApplicationArrays, NeighbourhoodArrays
from allocation.domain.engine import allocate
from allocation.domain.policy import Policy
from allocation.domain.result import AllocationResult, Constraint, Outcome

__all__ = [
    "AllocationResult",
    "ApplicationArrays",
    "Constraint",
    "NeighbourhoodArrays",
    "Outcome",
    "Policy",
    "allocate",
]
