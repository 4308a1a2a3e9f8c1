"""A grant's life on a clock the test controls: the bank's clock follows it, the worker's turns run on it."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from grants_shared.auth import Principal, Role
from grants_shared.delivery.writer import Database
from grants_shared.uow import UnitOfWork
from payments.adapters.orm import ProviderCursor
from payments.consumers.loops import dispatch_turn, poll_turn, returns_turn
from payments.domain.release_rules import ReleasePolicy
from payments.usecases import awards, conditions, releases
from payments.usecases.reconciliation import CURSOR, reconcile_turn
from payments_tests.bank import Bank
from payments_tests.kit import Sessions, accepted, deliver, partnership, staff, tranches

APPROVER = staff("bob", Role.FINANCE_APPROVER)


class Simulation:
    """Moves one clock for payments and the bank; each step runs the worker's turns as they would run then."""

    def __init__(self, sessions: Sessions, bank: Bank, policy: ReleasePolicy) -> None:
        self.sessions, self.bank, self.policy = sessions, bank, policy
        bank.reset()  # an empty bank on the wall clock: its report holds this grant's payments only
        self.now = bank.clock().replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=1)
        bank.move_clock(self.now)
        self.provider = bank.provider(timeout=5)
        with UnitOfWork(sessions) as uow:  # read the bank's report from the award on
            uow.session.add_all([ProviderCursor(name=n, position=self.now) for n in (CURSOR, "settlements")])
            uow.commit()

    def clock(self) -> datetime:
        """The simulated time (the use cases' clock)."""
        return self.now

    def close(self) -> None:
        """Close the bank client."""
        self.provider.close()

    def act(self, work: Callable[[UnitOfWork], Any]) -> Any:
        """Run a use case now, in its own unit of work."""
        with UnitOfWork(self.sessions) as uow:
            result = work(uow)
            uow.commit()
            return result

    def advance_to(self, when: datetime) -> None:
        """Let time pass: the bank settles and returns what falls due, the worker's turns catch up."""
        self.now = max(self.now, when)
        self.bank.move_clock(self.now)
        self.turns()

    def turns(self) -> None:
        """One round of the worker's loops at the current time."""
        conditions.due_turn(Database(self.sessions), policy=self.policy, clock=self.clock)
        dispatch_turn(Database(self.sessions), self.provider, max_attempts=3, clock=self.clock)
        poll_turn(Database(self.sessions), self.provider, max_attempts=3, clock=self.clock)
        returns_turn(Database(self.sessions), self.provider, clock=self.clock)
        reconcile_turn(Database(self.sessions), self.provider, grace_s=300, clock=self.clock)

    def award(self, envelope: Any) -> None:
        """The grant is awarded now."""
        deliver(
            self.sessions,
            envelope,
            lambda e, uow: awards.award_grant(
                uow, e.payload, policy=self.policy, payee_sort_code="040004", clock=self.clock
            ),
        )

    def sign_and_endorse(self, grant_id: str) -> None:
        """The agreement is signed (day 2) and the plan endorsed (day 9)."""
        self.advance_to(self.now + timedelta(days=1))
        self.act(
            lambda uow: conditions.record_agreement(
                uow,
                grant_id,
                staff("fiona", Role.FINANCE_OFFICER),
                signed_on=self.now.date(),
                reference="AGR-15Y",
                policy=self.policy,
                clock=self.clock,
            )
        )
        self.advance_to(self.now + timedelta(days=7))
        self.act(
            lambda uow: conditions.endorse_plan(
                uow, grant_id, staff("asha", Role.ASSESSOR), note=None, policy=self.policy, clock=self.clock
            )
        )

    def accept_report(self, grant_id: str, period: int) -> None:
        """An assessor accepts the report for `period` now."""
        envelope = accepted(grant_id, period=period, by="asha")
        deliver(
            self.sessions,
            envelope,
            lambda e, uow: awards.accept_report(uow, e.payload, policy=self.policy, clock=self.clock),
        )

    def partnership(self, compliant: bool) -> None:
        """The partnership's compliance changes now."""
        deliver(
            self.sessions,
            partnership(compliant, self.now),
            lambda e, uow: awards.change_partnership(
                uow, e.payload, policy=self.policy, event_id=e.event_id, clock=self.clock
            ),
        )

    def approve_waiting(self, grant_id: str, approver: Principal = APPROVER) -> int:
        """A second person approves every tranche awaiting approval; how many."""
        waiting = [t.tranche_id for t in tranches(self.sessions, grant_id) if t.status == "awaiting_approval"]
        for tranche_id in waiting:
            self.act(lambda uow, t=tranche_id: releases.approve(uow, t, approver, self.clock))  # type: ignore[misc]
        return len(waiting)
