"""A fund-scale run for the public pages, the dashboard and the browser test: grants to real left-behind wards.

Wards come from the reference data's 225 left-behind wards (GRANTS_REFERENCE_DATA_DIR) when it is configured, else
from made-up codes; every event goes through reporting's real projections, in batches as the worker applies them.
"""

import csv
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from grants_shared.delivery.apply import apply_envelopes
from grants_shared.events import Envelope, wrap

from .story import GROUP, ROUTES, Story

LEFT_BEHIND = "cni_left_behind/left_behind_wards_2019_225_DERIVED.csv"
REGIONS = ["E12000001", "E12000002", "E12000003", "E12000004", "E12000005"]
BUDGET = 17_500_000_000  # a £175m round
HOLD_REASONS = ["report for period 1 not accepted", "bank details being checked"]


@dataclass(frozen=True)
class Ward:
    """A neighbourhood the run awards a grant to."""

    code: str
    name: str
    region_code: str
    region_name: str
    population: int


def wards(count: int) -> list[Ward]:
    """The first `count` left-behind wards (most need first), or made-up ones without reference data."""
    root = os.environ.get("GRANTS_REFERENCE_DATA_DIR")
    if root and (Path(root) / LEFT_BEHIND).is_file():
        with (Path(root) / LEFT_BEHIND).open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))[:count]
        return [
            Ward(r["ward17_code"], r["ward17_name"], r["rgn17_code"], r["rgn17_name"], int(r["pop_mid2015"]))
            for r in rows
        ]
    return [Ward(f"E0599{n:04d}", f"Ward {n}", REGIONS[n % 5], f"Region {n % 5}", 5000 + n) for n in range(count)]


@dataclass
class WardStory(Story):
    """A Story whose neighbourhood is a real ward (code, name, region, population)."""

    ward: Ward | None = None
    awarded_flag: bool = True

    def _rewrap(self, envelope: Envelope[Any], **changes: Any) -> Envelope[Any]:
        payload = envelope.payload.model_copy(update=changes)
        return wrap(payload, subject=envelope.subject, occurred_at=envelope.occurred_at)

    def submitted(self) -> Envelope[Any]:
        assert self.ward is not None
        return self._rewrap(super().submitted(), neighbourhood_code=self.ward.code)

    def assessed(self) -> Envelope[Any]:
        assert self.ward is not None
        envelope = super().assessed()
        need = envelope.payload.neighbourhood.model_copy(
            update={
                "code": self.ward.code,
                "name": self.ward.name,
                "region_code": self.ward.region_code,
                "region_name": self.ward.region_name,
                "population": self.ward.population,
            }
        )
        return self._rewrap(envelope, neighbourhood=need)

    def decided(self) -> Envelope[Any]:
        assert self.ward is not None
        if self.awarded_flag:
            rationale = f"Ranked {self.n} of the round on need; awarded in full."
            return self._rewrap(super().decided(), neighbourhood_code=self.ward.code, rationale=rationale)
        return self._rewrap(
            super().decided(),
            neighbourhood_code=self.ward.code,
            outcome="not_awarded",
            awarded=False,
            awarded_pence=0,
            binding_constraint="budget",
            rationale="The round's budget was spent on neighbourhoods in greater need.",
        )

    def awarded(self) -> Envelope[Any]:
        assert self.ward is not None
        return self._rewrap(super().awarded(), neighbourhood_code=self.ward.code, region_code=self.ward.region_code)


@dataclass(frozen=True)
class FundRun:
    """What the run awarded: the stories of awarded grants, and those passed over."""

    awarded: list[WardStory]
    passed_over: list[WardStory]


def _grant_events(story: WardStory) -> list[Envelope[Any]]:
    n = story.n
    events = [*story.up_to_award(), *story.paid_tranche(1, date(2026, 2, 1))]
    if n % 9 == 0:
        events.append(story.returned(1))
    events.append(story.scheduled(2, date(2026, 7, 1)))
    events.append(story.scheduled(3, date(2027, 1, 1)))
    if n % 7 == 0:
        events.append(story.held(2))
    return events


def fund_run(grants: int, passed_over: int) -> tuple[FundRun, list[Envelope[Any]]]:
    """A round awarding `grants` grants (deciles mostly 1 and 2) and passing over `passed_over` applications."""
    places = wards(grants + passed_over)
    awarded = [
        WardStory(n=i + 1, organisation_id=f"org-{i + 1}", decile=1 if i % 3 else 2, region=w.region_code, ward=w)
        for i, w in enumerate(places[:grants])
    ]
    others = [
        WardStory(n=grants + i + 1, organisation_id=f"org-{grants + i + 1}", ward=w, awarded_flag=False)
        for i, w in enumerate(places[grants:])
    ]
    events = [awarded[0].round_opened(budget=BUDGET)]
    for story in awarded:
        events += _grant_events(story)
    for story in others:
        events += [story.submitted(), story.assessed(), story.decided()]
    return FundRun(awarded, others), events


def project(sessions: sessionmaker[Session], events: list[Envelope[Any]], batch: int = 200) -> None:
    """Apply the events through reporting's projections, `batch` per transaction, in order."""
    for start in range(0, len(events), batch):
        apply_envelopes(sessions, GROUP, ROUTES, events[start : start + batch])
