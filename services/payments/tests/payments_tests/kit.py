"""Helpers of the payments tests: events, delivery through the inbox, tokens, and reading what was written."""

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from grants_shared import tables
from grants_shared.auth import Principal, Role, mint_token
from grants_shared.clock import system_clock
from grants_shared.delivery import Handler
from grants_shared.delivery.apply import apply_event
from grants_shared.events import (
    Envelope,
    Event,
    GrantAwarded,
    PartnershipChanged,
    ReportAccepted,
    RoundOpened,
    RuleOutcome,
    wrap,
)
from grants_shared.ids import new_id
from grants_shared.settings import PlatformSettings
from grants_shared.uow import UnitOfWork
from payments import bootstrap
from payments.adapters.orm import PaymentInstruction, Tranche
from payments.consumers import events as consumers
from payments.read.ledger_check import run_checks
from payments.usecases import conditions

# Today, so tranche 1 is due at the award and the later ones are not yet (tranches fall due by the clock's date).
AWARDED_AT = datetime.now(UTC).replace(hour=9, minute=30, second=0, microsecond=0)
Sessions = sessionmaker[Session]


def awarded(grant_id: str = "g-1", amount: int = 1_000_001, months: int = 24, **extra: Any) -> Envelope[Any]:
    """A GrantAwarded event (org-1, partnership p-1 unless told otherwise)."""
    fields = {
        "grant_id": grant_id,
        "round_id": "r-1",
        "run_id": "run-1",
        "application_id": f"app-{grant_id}",
        "organisation_id": "org-1",
        "partnership_id": "p-1",
        "neighbourhood_code": "E05000001",
        "region_code": "E12000001",
        "imd_decile": 1,
        "amount_pence": amount,
        "duration_months": months,
        "awarded_at": AWARDED_AT,
        **extra,
    }
    return wrap(GrantAwarded(**fields), subject=grant_id)


def accepted(grant_id: str = "g-1", period: int = 1, by: str = "asha") -> Envelope[Any]:
    """A ReportAccepted event for a period of a grant."""
    payload = ReportAccepted(
        report_id=new_id(),
        grant_id=grant_id,
        period_number=period,
        accepted_by=by,
        accepted_at=AWARDED_AT + timedelta(days=180 * period),
    )
    return wrap(payload, subject=grant_id)


def partnership(compliant: bool, at: datetime, partnership_id: str = "p-1") -> Envelope[Any]:
    """A PartnershipChanged event."""
    outcome = RuleOutcome(rule="residents_majority", passed=compliant, detail="3 of 8 members are residents")
    payload = PartnershipChanged(
        partnership_id=partnership_id,
        organisation_id="org-1",
        neighbourhood_code="E05000001",
        member_count=8,
        resident_count=3 + 2 * compliant,
        compliant=compliant,
        outcomes=[outcome],
        changed_at=at,
    )
    return wrap(payload, subject=partnership_id)


def deliver(sessions: Sessions, envelope: Envelope[Any], handler: Handler) -> bool:
    """Apply an event through the worker's own path (inbox, unit of work, handler, commit); False for a duplicate."""
    return apply_event(sessions, "payments", handler, envelope)


def _bound(event_type: type[Event]) -> Handler:
    """The worker's handler of `event_type`, bound to the settings the test's environment names (as the worker binds
    its own at start)."""
    return lambda envelope, uow: dict(consumers.consumed(bootstrap.settings()))[event_type](envelope, uow)


on_grant_awarded = _bound(GrantAwarded)
on_report_accepted = _bound(ReportAccepted)
on_partnership_changed = _bound(PartnershipChanged)
on_round_opened = consumers.on_round_opened


def events(sessions: Sessions, event_type: str | None = None) -> list[dict[str, Any]]:
    """Payloads written to the outbox, in order (of one event type when given)."""
    with sessions() as session:
        bodies = session.scalars(select(tables.outbox.c.body).order_by(tables.outbox.c.id)).all()
    envelopes = [json.loads(body) for body in bodies]
    return [e["payload"] for e in envelopes if event_type is None or e["event_type"] == event_type]


def count(sessions: Sessions, table: Any) -> int:
    """Rows in a table (a Table or a mapped class)."""
    with sessions() as session:
        return int(session.execute(select(func.count()).select_from(table)).scalar_one())


def tranches(sessions: Sessions, grant_id: str = "g-1") -> list[Tranche]:
    """A grant's tranches by number."""
    with sessions() as session:
        return list(session.scalars(select(Tranche).where(Tranche.grant_id == grant_id).order_by(Tranche.number)))


def instructions(sessions: Sessions, grant_id: str = "g-1") -> list[PaymentInstruction]:
    """A grant's payment instructions, oldest first."""
    with sessions() as session:
        query = select(PaymentInstruction).where(PaymentInstruction.grant_id == grant_id)
        return list(session.scalars(query.order_by(PaymentInstruction.tranche_id, PaymentInstruction.attempt)))


def bearer(*roles: Role, subject: str = "someone", org: str | None = None) -> dict[str, str]:
    """Headers with a freshly minted token."""
    token = mint_token(PlatformSettings(), subject=subject, roles=list(roles), organisation_id=org)
    return {"Authorization": f"Bearer {token}"}


def writes(sessions: Sessions) -> tuple[int, int, int, int]:
    """What a refused request must not change: outbox, audit, idempotency keys and instructions."""
    return (
        count(sessions, tables.outbox),
        count(sessions, tables.audit_log),
        count(sessions, tables.idempotency_keys),
        count(sessions, PaymentInstruction),
    )


def staff(subject: str, *roles: Role) -> Principal:
    """A member of staff calling a use case directly."""
    return Principal(subject=subject, roles=frozenset(roles))


def open_first_tranche(
    sessions: Sessions, grant_id: str = "g-1", officer: str = "fiona", assessor: str = "asha"
) -> None:
    """Record the grant agreement as signed and endorse the plan: tranche 1's two conditions."""
    policy = bootstrap.policy()
    with UnitOfWork(sessions) as uow:
        conditions.record_agreement(
            uow,
            grant_id,
            staff(officer, Role.FINANCE_OFFICER),
            signed_on=AWARDED_AT.date(),
            reference="AGR-1",
            policy=policy,
            clock=system_clock,
        )
        uow.commit()
    with UnitOfWork(sessions) as uow:
        conditions.endorse_plan(
            uow, grant_id, staff(assessor, Role.ASSESSOR), note=None, policy=policy, clock=system_clock
        )
        uow.commit()


def award_and_open(sessions: Sessions, envelope: Envelope[Any], handler: Callable[..., None]) -> None:
    """Deliver an award, then meet tranche 1's conditions (most tests start from a grant being paid)."""
    deliver(sessions, envelope, handler)
    open_first_tranche(sessions, envelope.payload.grant_id)


def round_opened(budget_pence: int, round_id: str = "r-1") -> Envelope[Any]:
    """A RoundOpened event (the budget no variation may exceed)."""
    payload = RoundOpened(
        round_id=round_id,
        name="Round one",
        budget_pence=budget_pence,
        min_award_pence=1,
        max_award_pence=budget_pence,
        opened_at=AWARDED_AT - timedelta(days=30),
    )
    return wrap(payload, subject=round_id)


def ledger_failures(sessions: Sessions) -> list[str]:
    """The ledger invariants that do not hold, with their details (empty when all hold)."""
    with sessions() as session:
        return [f"{r.name}: {r.detail}" for r in run_checks(session) if not r.ok]
