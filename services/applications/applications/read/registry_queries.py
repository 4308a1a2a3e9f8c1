"""Reads of the registry's IoD2025 layer: a ward's LSOA21s through the best-fit bridge."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from applications.adapters.orm import Lsoa21Score, LsoaBridge


def ward_lsoa21s(session: Session, vintage_id: str, lsoa11_codes: list[str]) -> list[tuple[Lsoa21Score, list[str]]]:
    """The distinct best-fit LSOA21s of a ward's LSOA11s, by code, each with the LSOA11s it is the best fit of."""
    pairs = session.execute(
        select(LsoaBridge.lsoa11_code, LsoaBridge.lsoa21_code).where(
            LsoaBridge.vintage_id == vintage_id, LsoaBridge.lsoa11_code.in_(lsoa11_codes)
        )
    ).all()
    fits: dict[str, list[str]] = {}
    for lsoa11, lsoa21 in sorted(pairs):
        fits.setdefault(lsoa21, []).append(lsoa11)
    scores = session.scalars(
        select(Lsoa21Score).where(Lsoa21Score.vintage_id == vintage_id, Lsoa21Score.code.in_(list(fits)))
    )
    return [(score, fits[score.code]) for score in sorted(scores, key=lambda s: s.code)]
