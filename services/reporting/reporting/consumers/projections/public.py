"""What the public pages and the dashboard's held list need beyond the other projections: each is insert-once or
latest-wins, so a repeated or late event changes nothing."""

from sqlalchemy.orm import Session

from grants_shared.clock import as_utc
from grants_shared.events import AllocationDecided, NeighbourhoodNeed, TrancheHeld
from reporting.adapters.orm_public import Decision, Neighbourhood, TrancheHold
from reporting.adapters.rows import insert_later, upsert_newer_later


def record_neighbourhood(session: Session, need: NeighbourhoodNeed) -> None:
    """Keep the ward's name, region and population as the registry gave them (the first assessment's)."""
    insert_later(
        session,
        Neighbourhood,
        {
            "code": need.code,
            "name": need.name,
            "region_code": need.region_code,
            "region_name": need.region_name,
            "population": need.population,
            "imd_decile": need.imd_decile,
            "imd_mean_rank": need.imd_mean_rank,
            "left_behind": need.left_behind,
            "vintage": need.vintage,
        },
    )


def record_decision(session: Session, decision: AllocationDecided) -> None:
    """Keep the latest allocation decision on an application and its rationale sentence."""
    values = {
        "application_id": decision.application_id,
        "neighbourhood_code": decision.neighbourhood_code,
        "round_id": decision.round_id,
        "outcome": decision.outcome,
        "awarded": decision.awarded,
        "awarded_pence": decision.awarded_pence,
        "rationale": decision.rationale,
        "decided_at": as_utc(decision.decided_at),
    }
    upsert_newer_later(session, Decision, values, updated=tuple(values)[1:], stamp="decided_at")


def record_hold(session: Session, held: TrancheHeld) -> None:
    """Keep the reasons of the latest hold of a tranche."""
    values = {
        "tranche_id": held.tranche_id,
        "grant_id": held.grant_id,
        "reasons": list(held.reasons),
        "held_at": as_utc(held.held_at),
    }
    upsert_newer_later(session, TrancheHold, values, updated=("reasons", "held_at"), stamp="held_at")
