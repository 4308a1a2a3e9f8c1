"""A fund-scale run for the publication tests: the 225 left-behind wards of the official files, each awarded a grant
whose events carry the ward's real names, local authority and LSOAs, some tranches paid, one payment returned."""

import csv
import os
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.delivery.apply import apply_envelopes
from grants_shared.events import (
    AllocationDecided,
    ApplicationAssessed,
    ApplicationSubmitted,
    Envelope,
    GrantAwarded,
    NeighbourhoodNeed,
    RuleOutcome,
)
from grants_shared.events.applications import LsoaRef

from ..story import GROUP, ROUTES, T0, Story

FUND_PENCE = 175_000_000_00  # a £175m round shared across the wards, so the pence do not divide evenly
LEFT_BEHIND = "cni_left_behind/left_behind_wards_2019_225_DERIVED.csv"
WARD_LSOAS = "lookups/ons_lsoa11_ward17_lad17_ew.csv"


def reference_dir() -> Path:
    """GRANTS_REFERENCE_DATA_DIR, or the test is skipped with the reason."""
    folder = os.environ.get("GRANTS_REFERENCE_DATA_DIR")
    if not folder or not (Path(folder) / LEFT_BEHIND).is_file():
        pytest.skip(f"GRANTS_REFERENCE_DATA_DIR does not hold {LEFT_BEHIND} (the official left-behind wards)")
    return Path(folder)


@dataclass(frozen=True)
class Ward:
    """A left-behind ward as the registry would announce it."""

    code: str
    name: str
    lad_code: str
    lad_name: str
    region_code: str
    region_name: str
    lsoas: tuple[LsoaRef, ...]


def left_behind_wards(folder: Path) -> list[Ward]:
    """The 225 wards with their LSOAs (2011 codes and names), most need first."""
    lsoas: dict[str, list[LsoaRef]] = defaultdict(list)
    with (folder / WARD_LSOAS).open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            lsoas[row["WD17CD"]].append(LsoaRef(code=row["LSOA11CD"], name=row["LSOA11NM"]))
    with (folder / LEFT_BEHIND).open(encoding="utf-8-sig", newline="") as handle:
        return [
            Ward(
                r["ward17_code"],
                r["ward17_name"],
                r["lad_code_pre2019"],
                r["lad_name_pre2019"],
                r["rgn17_code"],
                r["rgn17_name"],
                tuple(sorted(lsoas[r["ward17_code"]], key=lambda lsoa: lsoa.code)),
            )  # fmt: skip
            for r in csv.DictReader(handle)
        ]


@dataclass
class WardStory(Story):
    """A Story whose application names a real ward and a registered organisation."""

    ward: Ward | None = None
    org_name: str = ""
    org_id: str = ""
    themes: list[str] = field(default_factory=lambda: ["places_to_meet", "civic_life"])

    @property
    def place(self) -> Ward:
        assert self.ward is not None, "a WardStory needs its ward"
        return self.ward

    def submitted(self) -> Envelope[Any]:
        return self._app(
            ApplicationSubmitted(
                application_id=self.application_id,
                version=1,
                organisation_id=self.organisation_id,
                partnership_id=f"p-{self.n}",
                neighbourhood_code=self.place.code,
                requested_pence=self.amount,
                duration_months=120,
                themes=self.themes,
                submitted_at=T0,
                organisation_org_id=self.org_id,
                organisation_name=self.org_name,
            )
        )

    def assessed(self) -> Envelope[Any]:
        w = self.place
        need = NeighbourhoodNeed(
            code=w.code, name=w.name, region_code=w.region_code, region_name=w.region_name, population=6000,
            imd_decile=self.decile, vintage="IoD2019", lad_code=w.lad_code, lad_name=w.lad_name, lsoas=list(w.lsoas),
        )  # fmt: skip
        return self._app(
            ApplicationAssessed(
                application_id=self.application_id, organisation_id=self.organisation_id, partnership_id=f"p-{self.n}",
                eligible=True, outcomes=[RuleOutcome(rule="members>=8", passed=True, detail="9 members")],
                rules_version="2026.1", requested_pence=self.amount, duration_months=120, neighbourhood=need,
                assessed_at=T0,
            )
        )  # fmt: skip

    def decided(self) -> Envelope[Any]:
        return self._app(
            AllocationDecided(
                run_id="run-1", round_id="round-1", application_id=self.application_id,
                neighbourhood_code=self.place.code, outcome="awarded", awarded=True, awarded_pence=self.amount,
                rank=self.n, ranked_of=225, need_score=61.3, binding_constraint=None,
                rationale=f"Ranked {self.n} of 225 by need; awarded in full.", inputs_hash="h", decided_at=T0,
            )
        )  # fmt: skip

    def awarded(self) -> Envelope[Any]:
        return self._grant(
            GrantAwarded(
                grant_id=self.grant_id, round_id="round-1", run_id="run-1", application_id=self.application_id,
                organisation_id=self.organisation_id, partnership_id=f"p-{self.n}", neighbourhood_code=self.place.code,
                region_code=self.place.region_code, imd_decile=self.decile, amount_pence=self.amount,
                duration_months=120, awarded_at=self.awarded_at,
            )
        )  # fmt: skip


def fund_stories(wards: list[Ward]) -> list[WardStory]:
    """One grant per ward sharing the £175m (the first wards take the odd pence)."""
    share, odd = divmod(FUND_PENCE, len(wards))
    return [
        WardStory(
            n=n,
            organisation_id=f"org-{n}",
            amount=share + (1 if n <= odd else 0),
            ward=ward,
            org_name=f"{ward.name} Community Trust",
            org_id=f"GB-CHC-{1_100_000 + n}",
        )  # fmt: skip
        for n, ward in enumerate(wards, start=1)
    ]


def run_fund(sessions: sessionmaker[Session], stories: list[WardStory]) -> None:
    """Each grant awarded and scheduled; tranche 1 paid for all, tranche 2 for every third, one payment returned."""
    opening = stories[0].round_opened(budget=FUND_PENCE)
    apply_envelopes(sessions, GROUP, ROUTES, [opening])
    for story in stories:
        life = [*story.up_to_award(), *story.paid_tranche(1, date(2026, 1, 5))]
        life += [story.scheduled(n, date(2026 + n // 2, 1 + 6 * (n % 2), 5)) for n in (2, 3, 4)]
        if story.n % 3 == 0:
            life += [story.released(2), story.instructed(2), story.settled(2)]
        if story.n == 2:
            life.append(story.returned(1))
        apply_envelopes(sessions, GROUP, ROUTES, life)
