"""Run the least-first engine over a run's inputs and turn its columns into decision rows.

Applications the assessment found ineligible, or whose partnership no longer complies, are decided
here without ranking; every other one is decided by the engine (domain/), which ranks and walks.
"""

from dataclasses import dataclass
from datetime import date

import numpy as np

from allocation.domain import AllocationResult, ApplicationArrays, Constraint, Outcome, Policy, allocate
from allocation.domain.drawdown import PlanLimit
from allocation.domain.hashing import decisions_digest, inputs_hash
from allocation.domain.inputs import PoolApplication, RunInputs
from allocation.domain.rationale_batch import rationales
from allocation.domain.registry_arrays import neighbourhood_arrays

AWARDED = (Outcome.AWARDED, Outcome.AWARDED_PARTIAL)


@dataclass(frozen=True)
class DecisionRow:
    """One application's decision, ready to store, publish and show."""

    application_id: str
    neighbourhood_code: str
    outcome: str
    awarded: bool
    awarded_pence: int
    rank: int | None
    ranked_of: int
    need_bp: int | None
    binding_constraint: str | None
    rationale: str

    @property
    def need_score(self) -> float | None:
        """The need score on the 0-100 scale (two decimals, exact from basis points)."""
        return None if self.need_bp is None else self.need_bp / 100


@dataclass(frozen=True)
class Computed:
    """The decisions of a run in rank order (then unranked by id), and the engine's result behind them."""

    decisions: list[DecisionRow]
    result: AllocationResult

    @property
    def available_pence(self) -> int:
        """The budget the walk could spend (budget less reserve)."""
        return self.result.policy.available_pence

    @property
    def inputs_hash(self) -> str:
        """The engine's hash of the policy, registry and ranked pool."""
        return inputs_hash(self.result.applications, self.result.neighbourhoods, self.result.policy)

    @property
    def decisions_digest(self) -> str:
        """The engine's digest of every decision it made."""
        return decisions_digest(self.result)

    @property
    def awarded_pence(self) -> int:
        """Sum of every award."""
        return sum(d.awarded_pence for d in self.decisions)

    @property
    def awards(self) -> int:
        """How many applications were awarded."""
        return sum(1 for d in self.decisions if d.awarded)


def compute(inputs: RunInputs) -> Computed:
    """Decide every application of the inputs (ValueError/KeyError when the inputs are inconsistent)."""
    policy = Policy.model_validate(inputs.policy)
    ranked_pool = [a for a in inputs.applications if a.assessed_eligible and a.partnership_compliant]
    excluded = [a for a in inputs.applications if not (a.assessed_eligible and a.partnership_compliant)]
    result = _allocate(inputs, ranked_pool, policy)
    decided = _engine_rows(result, ranked_pool)
    ranked = sorted((d for d in decided if d.rank is not None), key=lambda d: d.rank or 0)
    unranked = [d for d in decided if d.rank is None] + [_excluded_row(a, result.n_eligible) for a in excluded]
    return Computed(ranked + sorted(unranked, key=lambda d: d.application_id), result)


def _allocate(inputs: RunInputs, pool: list[PoolApplication], policy: Policy) -> AllocationResult:
    snapshots = sorted(inputs.neighbourhoods, key=lambda n: n["code"])
    row_of = {s["code"]: i for i, s in enumerate(snapshots)}
    applications = ApplicationArrays.from_rows(
        [a.application_id for a in pool],
        [row_of[a.neighbourhood_code] for a in pool],
        [a.requested_pence for a in pool],
    )
    return allocate(applications, neighbourhood_arrays(snapshots), policy, _plan_limit(inputs, pool))


def _plan_limit(inputs: RunInputs, pool: list[PoolApplication]) -> PlanLimit | None:
    drawdown = inputs.drawdown
    if drawdown is None:
        return None
    durations = np.array([a.duration_months for a in pool], dtype=np.int64)
    return PlanLimit.build(date.fromisoformat(drawdown["start"]), dict(drawdown["headroom"]), durations)


def _engine_rows(result: AllocationResult, pool: list[PoolApplication]) -> list[DecisionRow]:
    texts = rationales(result)
    outcomes, constraints = result.outcome.tolist(), result.constraint.tolist()
    ranks, need, awarded = result.rank.tolist(), result.need_bp.tolist(), result.awarded_pence.tolist()
    rows = []
    for i, app in enumerate(pool):
        outcome, constraint = Outcome(outcomes[i]), Constraint(constraints[i])
        rows.append(
            DecisionRow(
                application_id=app.application_id,
                neighbourhood_code=app.neighbourhood_code,
                outcome=outcome.name.lower(),
                awarded=outcome in AWARDED,
                awarded_pence=int(awarded[i]),
                rank=ranks[i] or None,
                ranked_of=result.n_eligible,
                need_bp=int(need[i]),
                binding_constraint=None if constraint == Constraint.NONE else constraint.name.lower(),
                rationale=texts[i],
            )
        )
    return rows


def _excluded_row(app: PoolApplication, ranked_of: int) -> DecisionRow:
    if not app.assessed_eligible:
        reasons = "; ".join(app.assessment_failures) or "see the assessment"
        outcome, constraint, text = "ineligible", "assessment", f"Not eligible: the assessment found {reasons}."
    else:
        reasons = "; ".join(app.partnership_failures) or "it no longer meets the rules"
        outcome, constraint = "partnership_non_compliant", "partnership"
        text = f"Not funded: the resident partnership does not comply with the rules ({reasons})."
    return DecisionRow(
        application_id=app.application_id,
        neighbourhood_code=app.neighbourhood_code,
        outcome=outcome,
        awarded=False,
        awarded_pence=0,
        rank=None,
        ranked_of=ranked_of,
        need_bp=None,
        binding_constraint=constraint,
        rationale=text,
    )
