"""Stored rows as plain JSON-safe dicts: what audits keep, and what the routes answer (the output models)."""

from typing import Any

from sqlalchemy.orm import object_session

from allocation.adapters.demonstration_store import is_demonstration
from allocation.adapters.orm import Decision, Round, Run
from allocation.adapters.orm_pools import MAIN_POOL, RoundPool
from allocation.adapters.registry_tables import RegistryVintage
from grants_shared.clock import iso


def round_view(round_: Round) -> dict[str, Any]:
    """A round as RoundOut."""
    session = object_session(round_)
    placement = session.get(RoundPool, round_.id) if session is not None else None
    return {
        "pool_id": placement.pool_id if placement else MAIN_POOL,
        "scenario": placement.scenario if placement else False,
        "demonstration": is_demonstration(session, round_.id) if session is not None else False,
        "id": round_.id,
        "name": round_.name,
        "status": round_.status,
        "policy": round_.policy,
        "policy_hash": round_.policy_hash,
        "grant_type": round_.grant_type,
        "opened_at": iso(round_.opened_at),
        "closed_at": iso(round_.closed_at) if round_.closed_at else None,
    }


def run_summary_view(run: Run) -> dict[str, Any]:
    """A run as RunSummaryOut."""
    return {
        "run_id": run.id,
        "round_id": run.round_id,
        "mode": run.mode,
        "policy_hash": run.policy_hash,
        "inputs_hash": run.inputs_hash,
        "decisions_digest": run.decisions_digest,
        "inputs_document_hash": run.document_hash,
        "vintages": run.vintages,
        "totals": {
            "awarded_pence": run.awarded_pence,
            "awards": run.awards,
            "budget_left_pence": run.budget_left_pence,
            "considered": run.considered,
        },
        "registry": run.need_registry,
        "created_at": iso(run.created_at),
        "created_by": run.created_by,
    }


def decision_view(decision: Decision) -> dict[str, Any]:
    """A decision as DecisionOut."""
    return {
        "application_id": decision.application_id,
        "neighbourhood_code": decision.neighbourhood_code,
        "outcome": decision.outcome,
        "awarded": decision.awarded,
        "awarded_pence": decision.awarded_pence,
        "rank": decision.rank,
        "ranked_of": decision.ranked_of,
        "need_score": None if decision.need_bp is None else decision.need_bp / 100,
        "binding_constraint": decision.binding_constraint,
        "rationale": decision.rationale,
        "grant_id": decision.grant_id,
    }


def vintage_view(vintage: RegistryVintage, in_force_hash: str | None) -> dict[str, Any]:
    """A vintage as RegistryVintageOut."""
    return {
        "inputs_hash": vintage.inputs_hash,
        "vintage": vintage.name,
        "status": vintage.status,
        "in_force": vintage.inputs_hash == in_force_hash,
        "ward_count": vintage.ward_count,
        "left_behind_count": vintage.left_behind_count,
        "wards_held": vintage.wards_held,
        "synthetic": vintage.synthetic,
        "loaded_at": iso(vintage.loaded_at),
        "fetched_at": iso(vintage.fetched_at) if vintage.fetched_at else None,
        "attempts": vintage.attempts,
        "last_error": vintage.last_error,
    }
