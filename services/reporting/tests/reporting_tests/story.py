"""A realistic grant's life as event envelopes, with controlled times, for driving the consumers in tests."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from grants_shared import tables
from grants_shared.delivery.apply import apply_envelopes, apply_event
from grants_shared.delivery.messages import Route
from grants_shared.events import (
    AllocationDecided,
    ApplicationAssessed,
    ApplicationSubmitted,
    Envelope,
    Event,
    GrantAwarded,
    GrantClosed,
    GrantCompleted,
    GrantVaried,
    NeighbourhoodNeed,
    PaymentInstructed,
    PaymentReturned,
    PaymentSettled,
    ReconciliationDifferenceFound,
    ReconciliationDifferenceResolved,
    RoundOpened,
    RuleOutcome,
    ScheduledTranche,
    TrancheHeld,
    TrancheReleased,
    TrancheResumed,
    TrancheScheduled,
    wrap,
)
from reporting.consumers.events import consumed

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
GROUP = "reporting"


ROUTES = [Route(event, handle) for event, handle in consumed()]


def deliver(sessions: sessionmaker[Session], envelope: Envelope[Any]) -> bool:
    """Apply one event through the worker's own path without Redis; False for a duplicate.

    An event whose prerequisite has not arrived is parked, as the worker parks it, and NotReady is raised so a test
    can say so; the event it waits for wakes it and applies it in that event's transaction.
    """
    return apply_event(sessions, GROUP, ROUTES, envelope)


def applied(sessions: sessionmaker[Session], envelope: Envelope[Any]) -> bool:
    """True when the group has applied the event (its inbox holds it, and nothing of the group waits parked)."""
    with sessions() as s:
        inbox = s.execute(
            select(tables.inbox.c.event_id).where(
                tables.inbox.c.consumer_group == GROUP, tables.inbox.c.event_id == envelope.event_id
            )
        ).first()
        waiting = s.execute(
            select(tables.parked.c.event_id).where(
                tables.parked.c.consumer_group == GROUP, tables.parked.c.event_id == envelope.event_id
            )
        ).first()
    return inbox is not None and waiting is None


def deliver_eventually(sessions: sessionmaker[Session], envelopes: list[Envelope[Any]]) -> int:
    """Deliver in the given order, each in its own transaction; returns how many had to wait parked for another.

    Those that waited are woken by the event they waited for, as in the worker; none may be left waiting.
    """
    waited = 0
    for envelope in envelopes:
        result = apply_envelopes(sessions, GROUP, ROUTES, [envelope])
        waited += len(result.with_status("parked"))
    assert count(sessions, tables.parked) == 0, "no progress: a prerequisite never arrives"
    return waited


def count(sessions: sessionmaker[Session], table: Any) -> int:
    """How many rows a table holds."""
    with sessions() as s:
        return int(s.execute(select(func.count()).select_from(table)).scalar_one())


@dataclass
class Story:
    """One grant from round to settlement; each method returns the next event's envelope."""

    n: int = 1
    organisation_id: str = "org-1"
    decile: int | None = 1
    region: str = "E12000004"
    amount: int = 150_000_000
    tranches: int = 4
    clock: int = field(default=0)
    awarded_at: datetime = T0

    @property
    def grant_id(self) -> str:
        return f"grant-{self.n}"

    @property
    def application_id(self) -> str:
        return f"app-{self.n}"

    @property
    def tranche_amount(self) -> int:
        return self.amount // self.tranches

    def _wrap(self, payload: Event, subject: str) -> Envelope[Any]:
        self.clock += 1
        return wrap(payload, subject=subject, occurred_at=T0 + timedelta(minutes=self.clock))

    def _app(self, payload: Event) -> Envelope[Any]:
        return self._wrap(payload, self.application_id)

    def _grant(self, payload: Event) -> Envelope[Any]:
        return self._wrap(payload, self.grant_id)

    def round_opened(self, budget: int = 1_000_000_000) -> Envelope[Any]:
        return self._wrap(
            RoundOpened(
                round_id="round-1",
                name="Round 1",
                budget_pence=budget,
                min_award_pence=100_000_000,
                max_award_pence=250_000_000,
                opened_at=T0,
            ),
            "round-1",
        )

    def submitted(self) -> Envelope[Any]:
        return self._app(
            ApplicationSubmitted(
                application_id=self.application_id,
                version=1,
                organisation_id=self.organisation_id,
                partnership_id=f"p-{self.n}",
                neighbourhood_code=f"W{self.n:08d}",
                requested_pence=self.amount,
                duration_months=120,
                themes=["places"],
                submitted_at=T0,
            )
        )

    def assessed(self) -> Envelope[Any]:
        need = NeighbourhoodNeed(
            code=f"W{self.n:08d}",
            name="Ward",
            region_code=self.region,
            region_name="Region",
            population=5000,
            imd_decile=self.decile,
            vintage="IoD2025",
        )
        return self._app(
            ApplicationAssessed(
                application_id=self.application_id,
                organisation_id=self.organisation_id,
                partnership_id=f"p-{self.n}",
                eligible=True,
                outcomes=[RuleOutcome(rule="members>=8", passed=True, detail="9 members")],
                rules_version="2026.1",
                requested_pence=self.amount,
                duration_months=120,
                neighbourhood=need,
                assessed_at=T0,
            )
        )

    def decided(self) -> Envelope[Any]:
        return self._app(
            AllocationDecided(
                run_id="run-1",
                round_id="round-1",
                application_id=self.application_id,
                neighbourhood_code=f"W{self.n:08d}",
                outcome="awarded",
                awarded=True,
                awarded_pence=self.amount,
                rank=self.n,
                ranked_of=10,
                need_score=61.3,
                binding_constraint=None,
                rationale="ranked first",
                inputs_hash="h",
                decided_at=T0,
            )
        )

    def awarded(self) -> Envelope[Any]:
        return self._grant(
            GrantAwarded(
                grant_id=self.grant_id,
                round_id="round-1",
                run_id="run-1",
                application_id=self.application_id,
                organisation_id=self.organisation_id,
                partnership_id=f"p-{self.n}",
                neighbourhood_code=f"W{self.n:08d}",
                region_code=self.region,
                imd_decile=self.decile,
                amount_pence=self.amount,
                duration_months=120,
                awarded_at=self.awarded_at,
            )
        )

    def scheduled(self, number: int, due_on: date, amount: int | None = None) -> Envelope[Any]:
        return self._grant(
            TrancheScheduled(
                grant_id=self.grant_id,
                tranche_id=self.tranche_id(number),
                number=number,
                of_tranches=self.tranches,
                due_on=due_on,
                amount_pence=amount or self.tranche_amount,
            )
        )

    def released(self, number: int) -> Envelope[Any]:
        return self._grant(
            TrancheReleased(
                grant_id=self.grant_id,
                tranche_id=self.tranche_id(number),
                number=number,
                amount_pence=self.tranche_amount,
                released_by="finance",
                released_at=T0,
            )
        )

    def held(self, number: int) -> Envelope[Any]:
        return self._grant(
            TrancheHeld(
                grant_id=self.grant_id,
                tranche_id=self.tranche_id(number),
                number=number,
                reasons=["report not accepted"],
                held_at=T0,
            )
        )

    def instructed(self, number: int) -> Envelope[Any]:
        return self._grant(
            PaymentInstructed(
                grant_id=self.grant_id,
                tranche_id=self.tranche_id(number),
                instruction_id=self.instruction_id(number),
                provider="sandbox",
                provider_payment_id=f"pp-{number}",
                amount_pence=self.tranche_amount,
                instructed_at=T0,
            )
        )

    def settled(self, number: int) -> Envelope[Any]:
        return self._grant(
            PaymentSettled(
                grant_id=self.grant_id,
                tranche_id=self.tranche_id(number),
                instruction_id=self.instruction_id(number),
                amount_pence=self.tranche_amount,
                settled_at=T0,
            )
        )

    def returned(self, number: int) -> Envelope[Any]:
        return self._grant(
            PaymentReturned(
                grant_id=self.grant_id,
                tranche_id=self.tranche_id(number),
                instruction_id=self.instruction_id(number),
                amount_pence=self.tranche_amount,
                reason="account closed",
                returned_at=T0,
            )
        )

    def completed(self) -> Envelope[Any]:
        return self._grant(
            GrantCompleted(grant_id=self.grant_id, awarded_pence=self.amount, paid_pence=self.amount, completed_at=T0)
        )

    def resumed(self, number: int) -> Envelope[Any]:
        return self._grant(
            TrancheResumed(
                grant_id=self.grant_id,
                tranche_id=self.tranche_id(number),
                number=number,
                lifted_reasons=["report not accepted"],
                resumed_by="worker",
                resumed_at=T0,
            )
        )

    def varied(
        self, new_total: int, remaining: dict[int, tuple[date, int]], cancelled: list[int], variation: str = "v1"
    ) -> Envelope[Any]:
        """A re-profile: `remaining` maps tranche numbers to their new due date and amount."""
        tranches = [
            ScheduledTranche(tranche_id=self.tranche_id(n), number=n, due_on=due, amount_pence=pence)
            for n, (due, pence) in sorted(remaining.items())
        ]
        return self._grant(
            GrantVaried(
                grant_id=self.grant_id,
                variation_id=variation,
                previous_total_pence=self.amount,
                new_total_pence=new_total,
                pattern=None,
                requested_by="fin",
                approved_by="approver",
                remaining_tranches=tranches,
                cancelled_tranche_ids=[self.tranche_id(n) for n in cancelled],
                varied_at=T0,
            )
        )

    def closed(self, awarded: int, paid: int, released: int, cancelled: list[int]) -> Envelope[Any]:
        return self._grant(
            GrantClosed(
                grant_id=self.grant_id,
                variation_id="close",
                awarded_pence=awarded,
                paid_pence=paid,
                released_pence=released,
                cancelled_tranche_ids=[self.tranche_id(n) for n in cancelled],
                reason="partnership dissolved",
                requested_by="fin",
                approved_by="approver",
                closed_at=T0,
            )
        )

    def difference_found(
        self, difference_id: str, number: int, bank: int | None, ledger: int | None, kind: str = "amount_mismatch"
    ) -> Envelope[Any]:
        return self._grant(
            ReconciliationDifferenceFound(
                difference_id=difference_id,
                kind=kind,
                provider_payment_id=f"pp-{number}",
                instruction_id=self.instruction_id(number),
                grant_id=self.grant_id,
                tranche_id=self.tranche_id(number),
                bank_amount_pence=bank,
                ledger_amount_pence=ledger,
                detail=f"the bank reports {bank}p",
                found_at=T0,
            )
        )

    def difference_resolved(
        self, difference_id: str, kind: str = "amount_mismatch", by: str | None = None, note: str | None = None
    ) -> Envelope[Any]:
        return self._grant(
            ReconciliationDifferenceResolved(
                difference_id=difference_id,
                kind=kind,
                grant_id=self.grant_id,
                resolved_at=T0,
                resolved_by=by,
                note=note,
            )
        )

    def tranche_id(self, number: int) -> str:
        return f"{self.grant_id}-t{number}"

    def instruction_id(self, number: int) -> str:
        return f"{self.grant_id}-i{number}"

    def up_to_award(self) -> list[Envelope[Any]]:
        """Application submitted, assessed, decided, and the grant awarded."""
        return [self.submitted(), self.assessed(), self.decided(), self.awarded()]

    def paid_tranche(self, number: int, due_on: date) -> list[Envelope[Any]]:
        """One tranche scheduled, released, instructed and settled."""
        return [self.scheduled(number, due_on), self.released(number), self.instructed(number), self.settled(number)]
