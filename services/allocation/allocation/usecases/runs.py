"""Use case: run the allocation of a round, as a simulation or as the round's one committed run."""

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from allocation.adapters.demonstration_store import mark_if_synthetic
from allocation.adapters.lookup import find_round
from allocation.adapters.orm import Award, Decision, Round, Run, RunInputs
from allocation.adapters.pool import load_inputs
from allocation.adapters.records import run_summary_view
from allocation.domain.computing import Computed, DecisionRow, compute
from allocation.domain.inputs import RunInputs as Inputs
from allocation.domain.lifecycle import OPEN
from allocation.usecases.fund import drawdown_inputs, policy_now, refuse_scenario_commit
from allocation.usecases.publishing import publish_commit
from grants_shared.clock import now
from grants_shared.crash import crash_point
from grants_shared.errors import Conflict
from grants_shared.ids import new_id, stable_id
from grants_shared.uow import UnitOfWork


def _refuse_commit(session: Session, round_: Round) -> None:
    if round_.status != OPEN:
        raise Conflict(
            f"Round {round_.id} takes no more committed runs.", code="round-closed", title="The round is closed"
        )
    committed = session.scalars(select(Run.id).where(Run.committed_round_id == round_.id)).first()
    if committed is not None:
        raise Conflict(
            f"Run {committed} is the committed run of round {round_.id}.",
            code="round-already-committed",
            title="The round already has a committed run",
            run_id=committed,
        )


@dataclass(frozen=True)
class RunDone:
    """A run as stored, and its decisions in rank order."""

    run: Run
    decisions: list[Decision]


def run_allocation(
    uow: UnitOfWork, round_id: str, mode: str, actor: str, plan: dict[str, int] | None = None
) -> RunDone:
    """Decide the current pool under the round's policy, its pool and the drawdown plan; a commit also awards.

    `plan` (simulations only) replaces the drawdown plan's yearly limits for this run, to see their effect.
    """
    session = uow.session
    commit = mode == "commit"
    round_ = find_round(session, round_id, lock=commit)  # commits of one round queue here on PostgreSQL
    if commit:
        _refuse_commit(session, round_)
        refuse_scenario_commit(session, round_, plan)
    policy: dict[str, Any] = policy_now(session, round_, lock=commit)
    inputs = replace(load_inputs(session, policy, round_.grant_type), drawdown=drawdown_inputs(session, plan))
    if commit and not inputs.applications:
        raise Conflict(
            "No assessed application is waiting for a decision.",
            code="empty-pool",
            title="There is nothing to allocate",
        )
    try:
        computed = compute(inputs)
    except ValueError as error:  # the engine refuses inputs it cannot decide exactly
        raise Conflict(
            str(error), code="cannot-allocate", title="The pool cannot be allocated under this policy"
        ) from error
    run = _write_run(session, round_, mode, actor, inputs, computed)
    grants = _grant_ids(run, computed) if commit else {}
    decisions = _write_decisions(session, run, inputs, computed, grants)
    if commit:
        _write_awards(session, run, computed, grants)
        demonstration = mark_if_synthetic(session, round_.id, inputs.registry)
        publish_commit(uow, run, inputs, computed, grants, grant_type=round_.grant_type, demonstration=demonstration)
        crash_point("allocation.mid_commit")
    uow.audit(actor=actor, action=f"run.{mode}", entity_type="round", entity_id=round_.id, after=run_summary_view(run))
    return RunDone(run, decisions)


def _write_run(session: Session, round_: Round, mode: str, actor: str, inputs: Inputs, computed: Computed) -> Run:
    awarded = computed.awarded_pence
    run = Run(
        id=new_id(),
        round_id=round_.id,
        mode=mode,
        committed_round_id=round_.id if mode == "commit" else None,
        policy_hash=round_.policy_hash,
        inputs_hash=computed.inputs_hash,
        document_hash=inputs.sha256(),
        vintages=inputs.vintages,
        decisions_digest=computed.decisions_digest,
        awarded_pence=awarded,
        awards=computed.awards,
        budget_left_pence=computed.available_pence - awarded,
        considered=len(computed.decisions),
        need_registry=inputs.registry,
        created_at=now(),
        created_by=actor,
    )
    session.add(run)
    session.flush()
    session.add(RunInputs(run_id=run.id, body=inputs.canonical()))
    return run


def _grant_ids(run: Run, computed: Computed) -> dict[str, str]:
    return {d.application_id: stable_id("grant", run.id, d.application_id) for d in computed.decisions if d.awarded}


def _decision(
    run: Run, position: int, row: DecisionRow, organisation_id: str, grant_id: str | None, decided_at: datetime
) -> Decision:
    return Decision(
        run_id=run.id,
        application_id=row.application_id,
        position=position,
        committed=run.mode == "commit",
        organisation_id=organisation_id,
        neighbourhood_code=row.neighbourhood_code,
        outcome=row.outcome,
        awarded=row.awarded,
        awarded_pence=row.awarded_pence,
        rank=row.rank,
        ranked_of=row.ranked_of,
        need_bp=row.need_bp,
        binding_constraint=row.binding_constraint,
        rationale=row.rationale,
        grant_id=grant_id,
        decided_at=decided_at,
    )


def _write_decisions(
    session: Session, run: Run, inputs: Inputs, computed: Computed, grants: dict[str, str]
) -> list[Decision]:
    organisation = {a.application_id: a.organisation_id for a in inputs.applications}
    decisions = [
        _decision(run, i, row, organisation[row.application_id], grants.get(row.application_id), run.created_at)
        for i, row in enumerate(computed.decisions)
    ]
    if decisions:
        columns = Decision.__table__.columns.keys()
        session.execute(insert(Decision), [{c: getattr(d, c) for c in columns} for d in decisions])
    return decisions


def _write_awards(session: Session, run: Run, computed: Computed, grants: dict[str, str]) -> None:
    awards = [
        {
            "application_id": d.application_id,
            "grant_id": grants[d.application_id],
            "run_id": run.id,
            "round_id": run.round_id,
            "amount_pence": d.awarded_pence,
            "awarded_at": run.created_at,
        }
        for d in computed.decisions
        if d.awarded
    ]
    if awards:
        session.execute(insert(Award), awards)
