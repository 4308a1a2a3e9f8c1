"""What the property test expects, written from the rules as published (not from the service's code).

The fund's rules (cwf-governance-v1): at least 8 current members, at least half of them residents; £1m to £2.5m;
120 to 180 months in steps of 6; the organisation's due diligence passed; a left-behind ward; one live
(eligible) application per ward.
"""

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from applications.adapters.orm import Application, ApplicationVersion, Assessment, PartnershipMember
from applications.domain.lifecycle import Status, allows
from grants_shared import tables

PARTNERSHIP_RULES = ("partnership_min_members", "partnership_resident_share")
CONTENT_RULES = ("requested_amount_in_range", "duration_in_range")


def partnership_complies(members: int, residents: int) -> dict[str, bool]:
    """The two resident-led rules on current membership."""
    return {
        "partnership_min_members": members >= 8,
        "partnership_resident_share": members > 0 and 2 * residents >= members,
    }


def content_passes(pence: int, months: int) -> dict[str, bool]:
    """The amount and duration rules."""
    return {
        "requested_amount_in_range": 100_000_000 <= pence <= 250_000_000,
        "duration_in_range": 120 <= months <= 180 and (months - 120) % 6 == 0,
    }


@dataclass
class Org:
    """An organisation as the test made it."""

    id: str
    due_diligence: str
    headers: dict[str, str]


@dataclass
class Model:
    """What the test knows: organisations, wards' left-behind flags, contents frozen at each submission."""

    left_behind: dict[str, bool]
    orgs: dict[str, Org] = field(default_factory=dict)
    frozen: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)


@dataclass
class Snapshot:
    """Everything the invariants look at, read straight from the database."""

    apps: list[Application]
    versions: dict[tuple[str, int], dict[str, Any]]
    latest: dict[str, Assessment]
    assessments: dict[str, int]
    membership: dict[str, tuple[int, int]]
    events: dict[str, int]


def snapshot(session: Session) -> Snapshot:
    """Read the state the invariants check."""
    apps = list(session.scalars(select(Application)))
    versions = {(v.application_id, v.version): v.content for v in session.scalars(select(ApplicationVersion))}
    latest: dict[str, Assessment] = {}
    assessments: dict[str, int] = {}
    for a in session.scalars(select(Assessment).order_by(Assessment.version, Assessment.seq)):
        latest[a.application_id] = a
        assessments[a.application_id] = assessments.get(a.application_id, 0) + 1
    membership: dict[str, tuple[int, int]] = {}
    for m in session.scalars(select(PartnershipMember).where(PartnershipMember.left_on.is_(None))):
        total, residents = membership.get(m.partnership_id, (0, 0))
        membership[m.partnership_id] = (total + 1, residents + int(m.resident))
    events: dict[str, int] = {}
    for stream, body in session.execute(select(tables.outbox.c.stream, tables.outbox.c.body)):
        kind = stream.split(".")[2]
        key = f"{kind}:{json.loads(body)['subject']}"
        events[key] = events.get(key, 0) + 1
    return Snapshot(apps, versions, latest, assessments, membership, events)


def assert_valid(snap: Snapshot, frozen: dict[tuple[str, int], dict[str, Any]]) -> None:
    """The invariants: valid statuses, assessments agreeing with the rules, frozen versions, one live per ward."""
    live: Counter[str] = Counter()
    for app in snap.apps:
        assert app.status in {"draft", "eligible", "ineligible", "withdrawn"}, app.status
        latest = snap.latest.get(app.id)
        if app.status == "draft":
            assert app.version == 0 and latest is None
        if app.status in ("eligible", "ineligible"):
            assert latest is not None and latest.version == app.version >= 1
            results = {o["rule"]: o["passed"] for o in latest.outcomes}
            assert latest.eligible == (app.status == "eligible") == all(results.values())
            members = snap.membership.get(app.partnership_id, (0, 0))
            assert {k: results[k] for k in PARTNERSHIP_RULES} == partnership_complies(*members), (app.id, results)
            content = content_passes(app.requested_pence, app.duration_months)
            assert {k: results[k] for k in CONTENT_RULES} == content, (app.id, results)
        live[app.neighbourhood_code] += app.status == "eligible"
        for version in range(1, app.version + 1):
            assert snap.versions[(app.id, version)] == frozen[(app.id, version)], "a submitted version changed"
        if app.version:
            newest = snap.versions[(app.id, app.version)]
            assert {k: getattr(app, k) for k in newest} == newest, "content differs from its submitted version"
        assert snap.events.get(f"application-assessed:{app.id}", 0) == snap.assessments.get(app.id, 0)
        assert snap.events.get(f"application-submitted:{app.id}", 0) == app.version
    assert max(live.values(), default=0) <= 1, live


def status_moves(session: Session) -> dict[str, list[tuple[str | None, str]]]:
    """Every stored status move of each application, from its audit trail: (status before, status after)."""
    t = tables.audit_log
    query = select(t.c.entity_id, t.c.before, t.c.after).where(t.c.entity_type == "application").order_by(t.c.id)
    moves: dict[str, list[tuple[str | None, str]]] = {}
    for app_id, before, after in session.execute(query):
        if after is not None and "status" in after:  # a decision's record holds the decision, not the application
            moves.setdefault(app_id, []).append((None if before is None else before["status"], after["status"]))
    return moves


def assert_lifecycle_kept(apps: list[Application], moves: dict[str, list[tuple[str | None, str]]]) -> None:
    """Each application was created a draft, every change of status was one the domain allows, in an unbroken
    chain of audited moves that ends at the stored status."""
    for app in apps:
        chain = moves.get(app.id, [])
        assert chain and chain[0] == (None, Status.DRAFT), (app.id, chain)
        for (_, previous), (before, after) in zip(chain, chain[1:], strict=False):
            assert before == previous, (app.id, chain)
            assert before == after or allows(before, after), (app.id, before, after)
        assert chain[-1][1] == app.status, (app.id, chain, app.status)
