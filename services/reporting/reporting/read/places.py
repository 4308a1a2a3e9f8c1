"""The names of a grant's places (ward, local authority, region) beside their codes, as applications announced them
on the application's latest assessment; None where no event named them."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reporting.adapters.orm import TimelineEntry

PLACE_NAMES = ("neighbourhood_name", "local_authority_code", "local_authority_name", "region_name")


def place_names(session: Session, application_id: str) -> dict[str, str | None]:
    """{neighbourhood_name, local_authority_code, local_authority_name, region_name} of the application's ward."""
    payload = session.scalars(
        select(TimelineEntry.payload)
        .where(TimelineEntry.application_id == application_id, TimelineEntry.event_type == "application-assessed")
        .order_by(TimelineEntry.occurred_at.desc(), TimelineEntry.id.desc())
        .limit(1)
    ).first()
    need: dict[str, Any] = (payload or {}).get("neighbourhood") or {}
    return {
        "neighbourhood_name": need.get("name"),
        "local_authority_code": need.get("lad_code"),
        "local_authority_name": need.get("lad_name"),
        "region_name": need.get("region_name"),
    }
