"""Use cases of resident partnerships: form one, members join and leave; each change re-checks the rules."""

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from applications.adapters.orm import Partnership, PartnershipMember
from applications.adapters.snapshot import row_dict
from applications.read import queries
from applications.usecases.access import conflict, may_change, may_read, not_found
from applications.usecases.assessment import reassess_partnership
from applications.usecases.commands import MemberCreate, MemberLeave, PartnershipCreate
from applications.usecases.grant_types import partnership_changed
from grants_shared.auth import Principal, Role
from grants_shared.errors import Forbidden, Invalid
from grants_shared.ids import new_id
from grants_shared.uow import UnitOfWork


def create_partnership(uow: UnitOfWork, cmd: PartnershipCreate, actor: Principal) -> Partnership:
    """Form a partnership of a neighbourhood in the registry in force, held by the caller's organisation."""
    if not actor.has(Role.OPERATOR) and actor.organisation_id != cmd.organisation_id:
        raise Forbidden(
            "An applicant may form partnerships only for the organisation in its token.",
            title="Not your organisation",
        )
    if queries.organisation(uow.session, cmd.organisation_id) is None:
        raise not_found("organisation", cmd.organisation_id)
    if queries.neighbourhood_in_force(uow.session, cmd.neighbourhood_code) is None:
        raise Invalid(
            f"{cmd.neighbourhood_code} is not a ward of the registry in force.",
            code="unknown-neighbourhood",
            title="Unknown neighbourhood",
        )
    now = datetime.now(UTC)
    p = Partnership(
        id=new_id(),
        organisation_id=cmd.organisation_id,
        name=cmd.name,
        neighbourhood_code=cmd.neighbourhood_code,
        created_at=now,
        updated_at=now,
    )
    uow.session.add(p)
    uow.session.flush()
    for seq, member in enumerate(cmd.members, start=1):
        uow.session.add(_member(p.id, seq, member))
    uow.session.flush()
    uow.audit(
        actor=actor.subject,
        action="partnership.created",
        entity_type="partnership",
        entity_id=p.id,
        after={**row_dict(p), "members": [m.model_dump() for m in cmd.members]},
    )
    _changed(uow, p, now, actor)
    return p


def add_member(uow: UnitOfWork, partnership_id: str, cmd: MemberCreate, actor: Principal) -> Partnership:
    """A member joins a partnership."""
    p = _changeable(uow, partnership_id, actor)
    seq = uow.session.scalar(
        select(func.coalesce(func.max(PartnershipMember.seq), 0)).where(PartnershipMember.partnership_id == p.id)
    )
    member = _member(p.id, int(seq or 0) + 1, cmd)
    uow.session.add(member)
    uow.session.flush()
    uow.audit(
        actor=actor.subject,
        action="partnership.member_joined",
        entity_type="partnership",
        entity_id=p.id,
        after=row_dict(member),
    )
    _changed(uow, p, datetime.now(UTC), actor)
    return p


def member_leaves(
    uow: UnitOfWork, partnership_id: str, member_id: str, cmd: MemberLeave, actor: Principal
) -> Partnership:
    """A member leaves a partnership on a date; they stay on record as a former member."""
    p = _changeable(uow, partnership_id, actor)
    member = uow.session.get(PartnershipMember, member_id)
    if member is None or member.partnership_id != p.id:
        raise not_found("member", member_id)
    if member.left_on is not None:
        raise conflict(f"member {member_id} already left on {member.left_on.isoformat()}")
    if cmd.left_on < member.joined_on:
        raise Invalid(
            f"left_on {cmd.left_on} is before joined_on {member.joined_on}.",
            code="left-before-joined",
            title="A member cannot leave before joining",
        )
    before = row_dict(member)
    member.left_on = cmd.left_on
    uow.session.flush()
    uow.audit(
        actor=actor.subject,
        action="partnership.member_left",
        entity_type="partnership",
        entity_id=p.id,
        before=before,
        after=row_dict(member),
    )
    _changed(uow, p, datetime.now(UTC), actor)
    return p


def visible_partnership(session: Session, partnership_id: str, actor: Principal) -> Partnership:
    """A partnership the caller may read (404 otherwise)."""
    p = queries.partnership(session, partnership_id)
    if p is None or not may_read(actor, p.organisation_id):
        raise not_found("partnership", partnership_id)
    return p


def _changeable(uow: UnitOfWork, partnership_id: str, actor: Principal) -> Partnership:
    # Locked so two membership changes of one partnership cannot interleave (PostgreSQL; SQLite serialises).
    p = queries.partnership(uow.session, partnership_id, lock=True)
    if p is None or not may_change(actor, p.organisation_id):
        raise not_found("partnership", partnership_id)
    return p


def _member(partnership_id: str, seq: int, cmd: MemberCreate) -> PartnershipMember:
    return PartnershipMember(
        id=new_id(),
        partnership_id=partnership_id,
        seq=seq,
        name=cmd.name,
        resident=cmd.resident,
        joined_on=cmd.joined_on,
        left_on=None,
    )


def _changed(uow: UnitOfWork, p: Partnership, now: datetime, actor: Principal) -> None:
    """Announce the partnership's compliance and re-assess its applications, in the same transaction."""
    p.updated_at = now
    uow.emit(partnership_changed(uow.session, p, now), subject=p.id)
    reassess_partnership(uow, p.id, p.neighbourhood_code, now=now, actor=actor.subject)
