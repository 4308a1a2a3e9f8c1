"""The stored inputs of a run: a canonical JSON document holding everything needed to recompute it.

A run's decisions are a pure function of this document, so `verify` can recompute them years later.
"""

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any

FORMAT = "cwf-allocation-inputs/1"


@dataclass(frozen=True)
class PoolApplication:
    """One application of the pool, as the run sees it."""

    application_id: str
    organisation_id: str
    partnership_id: str
    neighbourhood_code: str
    requested_pence: int
    duration_months: int
    assessed_eligible: bool
    assessment_failures: tuple[str, ...]
    partnership_compliant: bool
    partnership_failures: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        """The application as plain JSON values."""
        return {
            **self.__dict__,
            "assessment_failures": list(self.assessment_failures),
            "partnership_failures": list(self.partnership_failures),
        }


@dataclass(frozen=True)
class RunInputs:
    """The policy, the neighbourhood registry and the pool of one run; `registry` says where the registry came from.

    `drawdown` is the plan's headroom the run was decided under (absent from documents stored before it existed).
    Documents stored before `registry` existed have none, and read back and hash exactly as they were written.
    """

    policy: dict[str, Any]
    neighbourhoods: tuple[dict[str, Any], ...]
    applications: tuple[PoolApplication, ...]
    registry: dict[str, Any] | None = None
    drawdown: dict[str, Any] | None = None  # {"plan_version", "start", "headroom": {year: pence}}; None: no plan

    def canonical(self) -> str:
        """Canonical JSON: sorted keys, no whitespace; neighbourhoods by code, applications by id."""
        return self._canonical

    @cached_property
    def _canonical(self) -> str:
        # A whole registry is megabytes of JSON: write it once per run, for the hash and for storage alike.
        document = {
            "format": FORMAT,
            "policy": self.policy,
            "neighbourhoods": sorted(self.neighbourhoods, key=lambda n: n["code"]),
            "applications": [a.as_json() for a in sorted(self.applications, key=lambda a: a.application_id)],
        }
        if self.registry is not None:
            document["registry"] = self.registry
        if self.drawdown is not None:
            document["drawdown"] = self.drawdown
        return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    def sha256(self) -> str:
        """Hex SHA-256 of the canonical JSON."""
        return hashlib.sha256(self.canonical().encode("utf-8")).hexdigest()

    @property
    def vintages(self) -> list[str]:
        """The data vintages of the neighbourhood measures used."""
        return sorted({str(n.get("vintage", "")) for n in self.neighbourhoods})


def parse(body: str) -> RunInputs:
    """Read a stored inputs document back (ValueError when it is not one)."""
    document = json.loads(body)
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError("not an allocation inputs document")
    applications = tuple(
        PoolApplication(
            **{
                **a,
                "assessment_failures": tuple(a["assessment_failures"]),
                "partnership_failures": tuple(a["partnership_failures"]),
            }
        )
        for a in document["applications"]
    )
    return RunInputs(
        document["policy"],
        tuple(document["neighbourhoods"]),
        applications,
        document.get("registry"),
        document.get("drawdown"),
    )
