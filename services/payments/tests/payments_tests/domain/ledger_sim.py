"""A test-only model of grants and tranches that emits only valid ledger sequences, driven by hypothesis."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

from payments.domain.ledger import (
    LedgerTransaction,
    award_commitment,
    fail_payment,
    instruct_payment,
    release_commitment,
    return_payment,
    reversal,
    settle_payment,
)
from payments.domain.schedule import split_evenly

START = datetime(2025, 1, 1, tzinfo=UTC)
BUDGET = 10**10
OPS = ("award", "instruct", "settle", "fail", "return", "release", "reverse_last")
WEIGHTED_OPS = (
    "award",
    "award",
    "instruct",
    "instruct",
    "instruct",
    "settle",
    "settle",
    "fail",
    "return",
    "release",
    "reverse_last",
)
op_lists = st.lists(
    st.tuples(st.sampled_from(WEIGHTED_OPS), st.integers(0, 10**9), st.integers(0, 1_000)),
    min_size=20,
    max_size=100,
)


@dataclass
class TrancheModel:
    grant_id: str
    tranche_id: str
    amount: int
    status: str = "scheduled"  # scheduled | pending | settled | failed | returned | released
    instruction_id: str | None = None


@dataclass
class Model:
    tranches: list[TrancheModel] = field(default_factory=list)
    awarded: int = 0
    counter: int = 0


@dataclass
class Simulation:
    """Applies operations, keeping only those valid in the current state; records the ledger in order."""

    model: Model = field(default_factory=Model)
    ledger: list[LedgerTransaction] = field(default_factory=list)
    undo: list[tuple[LedgerTransaction, Model]] = field(default_factory=list)

    def _ids(self) -> tuple[str, datetime]:
        self.model.counter += 1
        return f"tx-{self.model.counter}-{len(self.ledger)}", START + timedelta(hours=len(self.ledger))

    def _post(self, txn: LedgerTransaction, before: Model) -> None:
        self.ledger.append(txn)
        self.undo.append((txn, before))

    def apply(self, op: str, amount: int, pick: int) -> None:
        m, before = self.model, copy.deepcopy(self.model)
        tid, at = self._ids()
        if op == "award":
            amount = amount + 1
            if m.awarded + amount > BUDGET:
                return
            grant = f"g{m.counter}"
            m.awarded += amount
            for n, part in enumerate(split_evenly(amount, 1 + pick % 4)):
                if part > 0:
                    m.tranches.append(TrancheModel(grant, f"{grant}-t{n + 1}", part))
            self._post(award_commitment(grant, amount, transaction_id=tid, effective_at=at), before)
            return
        if op == "reverse_last":
            if self.undo:
                txn, self.model = self.undo.pop()
                self.model.counter = m.counter
                self.ledger.append(reversal(txn, transaction_id=tid, effective_at=at))
            return
        wanted = {
            "instruct": ("scheduled", "failed"),
            "settle": ("pending",),
            "fail": ("pending",),
            "return": ("settled",),
            "release": ("scheduled", "failed"),
        }[op]
        candidates = [t for t in m.tranches if t.status in wanted]
        if not candidates:
            return
        t = candidates[pick % len(candidates)]
        if op == "instruct":
            t.status, t.instruction_id = "pending", f"ins-{m.counter}"
            txn = instruct_payment(
                t.grant_id, t.tranche_id, t.amount, instruction_id=t.instruction_id, transaction_id=tid, effective_at=at
            )
        elif op == "release":
            t.status = "released"
            txn = release_commitment(t.grant_id, t.amount, transaction_id=tid, effective_at=at)
        else:
            builder = {"settle": settle_payment, "fail": fail_payment, "return": return_payment}[op]
            t.status = {"settle": "settled", "fail": "failed", "return": "returned"}[op]
            assert t.instruction_id is not None
            txn = builder(
                t.grant_id, t.tranche_id, t.amount, instruction_id=t.instruction_id, transaction_id=tid, effective_at=at
            )
            if op == "return":  # the restored commitment is paid again by a variation: a new tranche
                m.tranches.append(TrancheModel(t.grant_id, f"{t.tranche_id}-r{m.counter}", t.amount))
        self._post(txn, before)


def simulate(ops: list[tuple[str, int, int]]) -> Simulation:
    """Run a list of (operation, amount, pick) through a fresh simulation."""
    sim = Simulation()
    for op, amount, pick in ops:
        sim.apply(op, amount, pick)
    return sim
