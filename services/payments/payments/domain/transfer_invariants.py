"""Pending-transfer invariants: each instruction resolves once; a tranche has one live instruction.

The ledger is replayed in posting order. An instruction id moves: (none) -instruct-> pending -settle-> settled
-return-> returned, or pending -fail-> failed; a retry is a NEW instruction id. A reversal undoes the latest
step of its instruction (reversing an earlier step while a later one stands is a breach).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from payments.domain.results import InvariantResult, result
from payments.domain.transactions import LedgerTransaction, TransactionKind

Kind = TransactionKind
LIVE = frozenset({"pending", "settled"})
_STEP = {
    Kind.INSTRUCT: (None, "pending"),
    Kind.SETTLE: ("pending", "settled"),
    Kind.FAIL: ("pending", "failed"),
    Kind.RETURN: ("settled", "returned"),
}


@dataclass
class _Replay:
    status: dict[str, str] = field(default_factory=dict)
    resolution_breaches: list[str] = field(default_factory=list)
    live_breaches: list[str] = field(default_factory=list)


def check_pending_transfers(transactions: Iterable[LedgerTransaction]) -> InvariantResult:
    """Each instruction id is instructed once and resolved (settled or failed) at most once, after it."""
    replay = _replay(list(transactions))
    counts = Counter(replay.status.values())
    figure = ", ".join(f"{counts[s]} {s}" for s in ("pending", "settled", "failed", "returned"))
    return result("pending_transfer_resolves_once", f"instructions: {figure}", replay.resolution_breaches)


def check_one_live_instruction(transactions: Iterable[LedgerTransaction]) -> InvariantResult:
    """At no point does a tranche have more than one live (pending or settled) payment instruction."""
    replay = _replay(list(transactions))
    live = sum(1 for s in replay.status.values() if s in LIVE)
    return result("one_live_instruction_per_tranche", f"{live} live instructions", replay.live_breaches)


def _replay(txns: Sequence[LedgerTransaction]) -> _Replay:
    by_id = {t.transaction_id: t for t in txns}
    steps: dict[str, list[tuple[str, str]]] = defaultdict(list)  # instruction id -> [(txn id, status)]
    opened: dict[str, LedgerTransaction] = {}  # instruction id -> its instruct transaction
    live: Counter[str | None] = Counter()  # tranche id -> live instructions
    out = _Replay()

    def move(instruction_id: str, new: str | None) -> str | None:
        old = out.status.pop(instruction_id, None)
        if new is not None:
            out.status[instruction_id] = new
        tranche = opened[instruction_id].tranche_id
        live[tranche] += (new in LIVE) - (old in LIVE)
        return tranche

    for t in txns:
        if t.kind is Kind.REVERSAL:
            original = by_id.get(t.reverses or "")
            if original is None or original.instruction_id is None or original.kind not in _STEP:
                continue
            stack = steps[original.instruction_id]
            if not stack or stack[-1][0] != original.transaction_id:
                out.resolution_breaches.append(f"{t.transaction_id} reverses {original.transaction_id} out of order")
                continue
            stack.pop()
            tranche = move(original.instruction_id, stack[-1][1] if stack else None)
        elif t.kind in _STEP and t.instruction_id is not None:
            stack, (before, after) = steps[t.instruction_id], _STEP[t.kind]
            current = stack[-1][1] if stack else None
            if current != before:
                out.resolution_breaches.append(
                    f"{t.kind} {t.transaction_id}: instruction {t.instruction_id} is {current or 'unknown'}"
                )
                continue
            if t.kind is Kind.INSTRUCT:
                opened[t.instruction_id] = t
            first = opened[t.instruction_id]
            if (first.grant_id, first.tranche_id, first.amount_pence) != (
                t.grant_id,
                t.tranche_id,
                t.amount_pence,
            ):
                out.resolution_breaches.append(f"{t.transaction_id} does not match instruction {t.instruction_id}")
            stack.append((t.transaction_id, after))
            tranche = move(t.instruction_id, after)
        else:
            continue
        if live[tranche] > 1:
            out.live_breaches.append(f"tranche {tranche} has {live[tranche]} live instructions at {t.transaction_id}")
    return out
