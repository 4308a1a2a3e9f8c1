"""How stored rows are shown over HTTP (plain JSON-safe dicts matching the output models)."""

from typing import Any

from allocation.adapters.orm import Decision, Round, Run
from allocation.times import iso


def round_view(round_: Round) -> dict[str, Any]:
    """A round as RoundOut."""
    return {
        "id": round_.id, "name": round_.name, "status": round_.status, "policy": round_.policy,
        "policy_hash": round_.policy_hash, "opened_at": iso(round_.opened_at),
        "closed_at": iso(round_.closed_at) if round_.closed_at else None,
    }


def run_summary_view(run: Run) -> dict[str, Any]:
    """A run as RunSummaryOut."""
    return {
        "run_id": run.id, "round_id": run.round_id, "mode": run.mode, "policy_hash": run.policy_hash,
        "inputs_hash": run.inputs_hash, "decisions_digest": run.decisions_digest,
        "inputs_document_hash": run.document_hash, "vintages": run.vintages,
        "totals": {"awarded_pence": run.awarded_pence, "awards": run.awards,
                   "budget_left_pence": run.budget_left_pence, "considered": run.considered},
        "registry": run.need_registry, "created_at": iso(run.created_at), "created_by": run.created_by,
    }


def decision_view(decision: Decision) -> dict[str, Any]:
    """A decision as DecisionOut."""
    return {
        "application_id": decision.application_id, "neighbourhood_code": decision.neighbourhood_code,
        "outcome": decision.outcome, "awarded": decision.awarded, "awarded_pence": decision.awarded_pence,
        "rank": decision.rank, "ranked_of": decision.ranked_of,
        "need_score": None if decision.need_bp is None else decision.need_bp / 100,
        "binding_constraint": decision.binding_constraint, "rationale": decision.rationale,
        "grant_id": decision.grant_id,
    }


def application_decision_view(decision: Decision, run: Run) -> dict[str, Any]:
    """An application's committed decision as ApplicationDecisionOut."""
    return {**decision_view(decision), "run_id": run.id, "round_id": run.round_id,
            "decided_at": iso(decision.decided_at)}


def page(items: list[dict[str, Any]], total: int, limit: int, offset: int) -> dict[str, Any]:
    """One page of a list, as Page."""
    return {"items": items, "total": total, "limit": limit, "offset": offset}
