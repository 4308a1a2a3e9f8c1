"""The rules a release obeys beyond its conditions: the approval policy (data, versioned) and time.

A release needs a second person when the policy says so for its amount; a repayment and a payee change always do,
whatever the amount and whatever the policy. A tranche goes no earlier than its due date less the policy's lead time,
and never before the tranche before it has gone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

# What a tranche waits for, by a stable code (a person who asked is told these; an event-driven attempt just waits).
NOT_YET_DUE = "tranche-not-yet-due"
PREVIOUS_UNRELEASED = "previous-tranche-not-released"
# The statuses of a tranche that has gone ahead: released (and approved where that was needed), paid or being paid.
GONE_AHEAD = frozenset({"released", "approved", "instructed", "settled", "failed", "returned"})
ALWAYS_SECOND_PERSON = 0  # the threshold recorded on a repayment: every amount is above it
MAX_LEAD_DAYS = 5490  # fifteen years, the longest grant: any tranche may go at once
POLICY_KEYS = {"policy", "version", "second_person_above_pence", "release_lead_days", "rationale"}


class PolicyError(ValueError):
    """An approval policy document that is malformed."""


@dataclass(frozen=True)
class ReleasePolicy:
    """The fund's release policy: above what a release needs a second person, and how early a tranche may go."""

    version: str
    second_person_above_pence: int
    release_lead_days: int

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> ReleasePolicy:
        """Read a policy document (every key required, no other), or raise `PolicyError` saying what is wrong."""
        if not isinstance(document, Mapping) or set(document) != POLICY_KEYS:
            raise PolicyError(f"a release policy has exactly the keys {sorted(POLICY_KEYS)}")
        version, above, lead = document["version"], document["second_person_above_pence"], document["release_lead_days"]
        if not isinstance(version, str) or not version.strip() or len(version) > 50:
            raise PolicyError("version is a non-empty name of at most 50 characters")
        if type(above) is not int or above < 0:
            raise PolicyError("second_person_above_pence is a whole number of pence, 0 or more")
        if type(lead) is not int or not 0 <= lead <= MAX_LEAD_DAYS:
            raise PolicyError(f"release_lead_days is a whole number of days from 0 to {MAX_LEAD_DAYS}")
        return cls(version.strip(), above, lead)

    def release_threshold(self, amount_pence: int, *, repayment: bool = False) -> int:
        """The threshold recorded on a release: above it a second person approves (a repayment: always)."""
        return ALWAYS_SECOND_PERSON if repayment else self.second_person_above_pence

    def earliest_release(self, due_on: date) -> date:
        """The first day a tranche due on `due_on` may be released."""
        return due_on - timedelta(days=self.release_lead_days)


@dataclass(frozen=True)
class Wait:
    """Why a tranche whose conditions are met is not released yet."""

    code: str
    detail: str


def release_waits(policy: ReleasePolicy, *, due_on: date, today: date, previous: tuple[int, str] | None) -> list[Wait]:
    """What a tranche still waits for: its release window, and the tranche before it (number, status) going first."""
    waits = []
    earliest = policy.earliest_release(due_on)
    if today < earliest:
        waits.append(
            Wait(
                NOT_YET_DUE,
                f"due on {due_on.isoformat()}: released from {earliest.isoformat()} "
                f"({policy.release_lead_days} days ahead, policy {policy.version})",
            )
        )
    if previous is not None and previous[1] not in GONE_AHEAD:
        waits.append(Wait(PREVIOUS_UNRELEASED, f"tranche {previous[0]} is {previous[1]}: it goes first"))
    return waits
