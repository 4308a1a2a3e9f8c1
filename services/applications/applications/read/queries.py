"""Reads the use cases and routes share: rules and vintage in force, objects by id, membership, live applications."""

from typing import NamedTuple

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from applications.adapters.orm import (
    Application,
    Assessment,
    Decision,
    GovernanceRules,
    Neighbourhood,
    Organisation,
    Partnership,
    PartnershipMember,
    RegistryVintage,
)
from applications.domain.lifecycle import ASSESSED, LIVE
from applications.domain.rules import Membership, RuleSet


def vintage_in_force(session: Session) -> RegistryVintage | None:
    """The registry vintage in force, or None before any registry was loaded."""
    query = select(RegistryVintage).where(RegistryVintage.in_force.is_(True))
    return session.scalars(query.order_by(RegistryVintage.loaded_at.desc())).first()


def neighbourhood_in_force(session: Session, code: str, *, lock: bool = False) -> Neighbourhood | None:
    """The ward `code` in the vintage in force; `lock` serialises use cases about the same ward (PostgreSQL)."""
    vintage = vintage_in_force(session)
    if vintage is None:
        return None
    query = select(Neighbourhood).where(Neighbourhood.vintage_id == vintage.id, Neighbourhood.code == code)
    return session.scalars(query.with_for_update() if lock else query).first()


def rules_in_force(session: Session) -> RuleSet:
    """The governance rules in force (the migration seeds the first version)."""
    row = session.scalars(select(GovernanceRules).where(GovernanceRules.in_force.is_(True))).first()
    if row is None:
        raise RuntimeError("no governance rules in force: is the database migrated?")
    return RuleSet.from_params(row.version, row.rules)


def organisation(session: Session, organisation_id: str) -> Organisation | None:
    """An organisation by id."""
    return session.get(Organisation, organisation_id)


class Home(NamedTuple):
    """What never changes of a partnership once made: who holds it and its ward."""

    id: str
    organisation_id: str
    neighbourhood_code: str


_HOMES: dict[tuple[str, str], Home] = {}  # (database, partnership id) -> its home; bounded by MAX_HOMES
MAX_HOMES = 10_000
_HOME = select(
    Partnership.__table__.c.id, Partnership.__table__.c.organisation_id, Partnership.__table__.c.neighbourhood_code
).where(Partnership.__table__.c.id == bindparam("pid"))


def partnership_home(session: Session, partnership_id: str) -> Home | None:
    """A partnership's holder and ward, read once per process: a partnership is never moved or deleted."""
    key = (str(session.get_bind().engine.url), partnership_id)
    home = _HOMES.get(key)
    if home is None:
        row = session.execute(_HOME, {"pid": partnership_id}).first()
        if row is None:
            return None  # not remembered: it may be made later
        if len(_HOMES) >= MAX_HOMES:
            _HOMES.clear()
        home = _HOMES[key] = Home(*row)
    return home


def partnership(session: Session, partnership_id: str, *, lock: bool = False) -> Partnership | None:
    """A partnership by id; `lock` holds it for a membership change."""
    return session.get(Partnership, partnership_id, with_for_update=lock, populate_existing=lock)


def members(session: Session, partnership_id: str) -> list[PartnershipMember]:
    """Every member of a partnership, current and departed, in the order they were added."""
    query = select(PartnershipMember).where(PartnershipMember.partnership_id == partnership_id)
    return list(session.scalars(query.order_by(PartnershipMember.seq)))


def membership(session: Session, partnership_id: str) -> Membership:
    """Current members and residents of a partnership."""
    return count_members(members(session, partnership_id))


def count_members(rows: list[PartnershipMember]) -> Membership:
    """Current members and residents among a partnership's member rows."""
    current = [m for m in rows if m.left_on is None]
    return Membership(members=len(current), residents=sum(1 for m in current if m.resident))


def application(session: Session, application_id: str, *, lock: bool = False) -> Application | None:
    """An application by id; `lock` holds it for a status change (and re-reads it if already loaded)."""
    return session.get(Application, application_id, with_for_update=lock, populate_existing=lock)


def latest_assessment(session: Session, application_id: str) -> Assessment | None:
    """The newest assessment of the newest submitted version."""
    query = select(Assessment).where(Assessment.application_id == application_id)
    return session.scalars(query.order_by(Assessment.version.desc(), Assessment.seq.desc())).first()


def assessed_applications(session: Session, partnership_id: str) -> list[Application]:
    """The partnership's submitted or assessed applications, oldest first, locked for re-assessment."""
    query = select(Application).where(
        Application.partnership_id == partnership_id,
        Application.status.in_([str(s) for s in ASSESSED]),
    )
    locked = query.order_by(Application.created_at, Application.id).with_for_update()
    return list(session.scalars(locked.execution_options(populate_existing=True)))


def latest_decision(session: Session, application_id: str) -> Decision | None:
    """The newest allocation decision about an application (runs are ordered by when they decided)."""
    query = select(Decision).where(Decision.application_id == application_id)
    return session.scalars(query.order_by(Decision.decided_at.desc(), Decision.run_id.desc())).first()


def other_live_applications(
    session: Session, neighbourhood_code: str, excluding: str, *, grant_type: str = "main"
) -> list[str]:
    """Ids of other applications of the grant type holding the neighbourhood's live slot (not withdrawn, not declined).

    Each grant type has its own slot: a starter grant does not stop the same place applying for its main award.
    """
    query = select(Application.id).where(
        Application.neighbourhood_code == neighbourhood_code,
        Application.status.in_([str(s) for s in LIVE]),
        Application.id != excluding,
        Application.grant_type == grant_type,
    )
    live = []
    for app_id in session.scalars(query.order_by(Application.id)):
        decision = latest_decision(session, app_id)
        if decision is None or decision.awarded:
            live.append(app_id)
    return live
