"""What the public pages and the dashboard's held list need beyond the other projections: each is insert-once or
latest-wins, so a repeated or late event changes nothing."""

from datetime import datetime

from sqlalchemy.orm import Session

from grants_shared.clock import as_utc
from grants_shared.events import AllocationDecided, NeighbourhoodNeed, TrancheHeld
from reporting.adapters.orm_public import Decision, Neighbourhood, TrancheHold
from reporting.adapters.rows import insert_later


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
    at = as_utc(decision.decided_at)
    row = session.get(Decision, decision.application_id)
    if row is not None and not _newer(at, row.decided_at):
        return
    values = {
        "neighbourhood_code": decision.neighbourhood_code,
        "round_id": decision.round_id,
        "outcome": decision.outcome,
        "awarded": decision.awarded,
        "awarded_pence": decision.awarded_pence,
        "rationale": decision.rationale,
        "decided_at": at,
    }
    if row is None:
        session.add(Decision(application_id=decision.application_id, **values))
    else:
        for name, value in values.items():
            setattr(row, name, value)
    session.flush()


def record_hold(session: Session, held: TrancheHeld) -> None:
    """Keep the reasons of the latest hold of a tranche."""
    at = as_utc(held.held_at)
    row = session.get(TrancheHold, held.tranche_id)
    if row is None:
        session.add(TrancheHold(tranche_id=held.tranche_id, grant_id=held.grant_id, reasons=held.reasons, held_at=at))
    elif _newer(at, row.held_at):
        row.reasons, row.held_at = list(held.reasons), at
    session.flush()


def _newer(at: datetime, than: datetime) -> bool:
    return at >= as_utc(than)
