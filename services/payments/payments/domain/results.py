"""The result type shared by every ledger invariant check."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

MAX_DETAILS = 10


@dataclass(frozen=True)
class InvariantResult:
    """One invariant check: its name, whether it holds, a headline figure, and the breaches if any."""

    name: str
    ok: bool
    figure: str
    detail: str


def result(name: str, figure: str, breaches: Sequence[str]) -> InvariantResult:
    """Build a result that holds exactly when there are no breaches; the detail lists the first few."""
    shown = "; ".join(breaches[:MAX_DETAILS])
    more = f" (+{len(breaches) - MAX_DETAILS} more)" if len(breaches) > MAX_DETAILS else ""
    return InvariantResult(name, not breaches, figure, shown + more)
