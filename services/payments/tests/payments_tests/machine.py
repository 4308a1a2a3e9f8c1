"""A hypothesis state machine over the payments use cases, a real SQLite database and a real sandbox bank.

Rules: schedule (award), release (conditions, reports), hold, resume, approve, instruct, settle, fail, return,
repay, vary, close, partnership changes, time passing and duplicate delivery. After every step every ledger
invariant is checked (the `grants ledger check` queries), and every status change the database stored (SQLite
triggers record them) must be a move its domain lifecycle allows; the reconcile rule checks bank and ledger agree.
"""

import shutil
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy import func, select

from grants_shared.auth import Role
from grants_shared.db import make_engine, session_factory
from grants_shared.delivery.writer import Database
from grants_shared.errors import AppError
from grants_shared.http.problems import error_status
from grants_shared.ids import new_id
from grants_shared.uow import UnitOfWork
from payments.adapters.orm import ProviderCursor, Tranche
from payments.adapters.orm_variations import Variation
from payments.consumers.loops import dispatch_turn, poll_turn, returns_turn
from payments.domain.release_rules import GONE_AHEAD
from payments.domain.statuses import VARIATION_PENDING
from payments.read.ledger_check import run_checks
from payments.usecases import awards, conditions, releases, returns, variations
from payments.usecases.errors import ReportPeriodUnknown
from payments.usecases.instructions import bank_reference
from payments.usecases.reconciliation import CURSOR, reconcile_turn
from payments.usecases.variations import VariationRequest
from payments_tests.bank import Bank
from payments_tests.conftest import POLICY
from payments_tests.kit import accepted, awarded, deliver, on_round_opened, partnership, round_opened, staff
from payments_tests.moves import Move, forbidden, record_status_moves, stored_moves

OFFICER, APPROVER, ASSESSOR = (
    staff("fiona", Role.FINANCE_OFFICER),
    staff("bob", Role.FINANCE_APPROVER),
    staff("asha", Role.ASSESSOR),
)
PICK = st.integers(0, 10**6)
SEEN: set[Move] = set()  # every stored status change of every example, for the run's own check


def machine_for(template: Path, workdir: Path, bank: Bank) -> type[RuleBasedStateMachine]:
    """The machine class, bound to a migrated database template and a running bank."""

    class PaymentsMachine(RuleBasedStateMachine):
        """The payments service driven through its use cases; the ledger must hold after every step."""

        @initialize()
        def start(self) -> None:
            path = workdir / f"{new_id()}.db"
            shutil.copy(template, path)
            self.engine = make_engine(f"sqlite:///{path}")
            record_status_moves(self.engine)
            self.sessions = session_factory(self.engine)
            self.db = Database(self.sessions)  # the background turns' way in: no writer, units run inline
            self.provider = bank.provider(timeout=5)
            bank.reset()  # each example starts with an empty bank on the wall clock
            self.now: datetime = bank.clock()
            self.grants: list[str] = []
            self.delivered: list[tuple[Any, Callable[..., None]]] = []
            self.compliant_at = self.now
            with UnitOfWork(self.sessions) as uow:  # this example reads the bank's report from now on
                uow.session.add(ProviderCursor(name=CURSOR, position=self.now))
                uow.session.add(ProviderCursor(name="settlements", position=self.now))
                uow.commit()
            self.deliver(round_opened(10**12), on_round_opened)

        def teardown(self) -> None:
            if hasattr(self, "engine"):
                self.provider.close()
                self.engine.dispose()

        def clock(self) -> datetime:
            return self.now

        def on_award(self, envelope: Any, uow: UnitOfWork) -> None:
            awards.award_grant(uow, envelope.payload, policy=POLICY, payee_sort_code="040004", clock=self.clock)

        def on_report(self, envelope: Any, uow: UnitOfWork) -> None:
            awards.accept_report(uow, envelope.payload, policy=POLICY, clock=self.clock)

        def on_partnership(self, envelope: Any, uow: UnitOfWork) -> None:
            awards.change_partnership(
                uow, envelope.payload, policy=POLICY, event_id=envelope.event_id, clock=self.clock
            )

        def deliver(self, envelope: Any, handler: Callable[..., None]) -> None:
            deliver(self.sessions, envelope, handler)
            self.delivered.append((envelope, handler))

        def act(self, work: Callable[[UnitOfWork], Any]) -> Any:
            """Run a use case in its own unit of work; a refusal (4xx problem) must leave nothing behind."""
            try:
                with UnitOfWork(self.sessions) as uow:
                    result = work(uow)
                    uow.commit()
                    return result
            except AppError as refused:
                assert 400 <= error_status(refused) < 500, refused
                return refused

        def tranche(self, pick: int) -> Tranche | None:
            with self.sessions() as session:
                rows = list(session.scalars(select(Tranche).order_by(Tranche.grant_id, Tranche.number)))
            return rows[pick % len(rows)] if rows else None

        def grant(self, pick: int) -> str:
            return self.grants[pick % len(self.grants)]

        @rule(amount=st.integers(12, 4_000_000), months=st.sampled_from([12, 18, 24]))
        def schedule(self, amount: int, months: int) -> None:
            grant_id = f"g{new_id()[:8]}"
            self.deliver(awarded(grant_id, amount=amount, months=months, awarded_at=self.now), self.on_award)
            self.grants.append(grant_id)

        @precondition(lambda self: self.grants)
        @rule(pick=PICK)
        def meet_first_conditions(self, pick: int) -> None:
            grant_id = self.grant(pick)
            self.act(
                lambda uow: conditions.record_agreement(
                    uow, grant_id, OFFICER, signed_on=self.now.date(), reference=None, policy=POLICY, clock=self.clock
                )
            )
            self.act(
                lambda uow: conditions.endorse_plan(uow, grant_id, ASSESSOR, note=None, policy=POLICY, clock=self.clock)
            )

        @precondition(lambda self: self.grants)
        @rule(pick=PICK, period=st.integers(1, 4), by=st.sampled_from(["asha", "bob"]))
        def accept_report(self, pick: int, period: int, by: str) -> None:
            grant_id = self.grant(pick)
            with self.sessions() as session:
                periods = session.scalar(select(func.max(Tranche.number)).where(Tranche.grant_id == grant_id))
            if period > (periods or 0):  # a period the schedule does not have: refused, nothing changes
                with pytest.raises(ReportPeriodUnknown):
                    deliver(self.sessions, accepted(grant_id, period=period, by=by), self.on_report)
                return
            self.deliver(accepted(grant_id, period=period, by=by), self.on_report)

        @rule(pick=PICK)
        def hold(self, pick: int) -> None:
            if (t := self.tranche(pick)) is not None:
                self.act(lambda uow: conditions.hold(uow, t.tranche_id, "query", OFFICER, self.clock))

        @rule(pick=PICK)
        def resume(self, pick: int) -> None:
            if (t := self.tranche(pick)) is not None:
                self.act(lambda uow: conditions.resume(uow, t.tranche_id, OFFICER, POLICY, self.clock))

        @rule(pick=PICK, approver=st.sampled_from(["asha", "bob", "fiona"]))
        def approve(self, pick: int, approver: str) -> None:
            t = self.tranche(pick)
            if t is None:
                return
            who = staff(approver, Role.FINANCE_APPROVER)
            outcome = self.act(lambda uow: releases.approve(uow, t.tranche_id, who, self.clock))
            if t.status == "awaiting_approval" and t.released_by == approver:
                assert isinstance(outcome, AppError) and outcome.code == "approver-is-releaser"

        @rule()
        def instruct(self) -> None:
            dispatch_turn(self.db, self.provider, max_attempts=3, clock=self.clock)

        @rule()
        def settle(self) -> None:
            bank.settle_now()
            poll_turn(self.db, self.provider, max_attempts=3, clock=self.clock)

        @rule(pick=PICK, behaviour=st.sampled_from(["fail", "return"]))
        def bank_will(self, pick: int, behaviour: str) -> None:
            if (t := self.tranche(pick)) is not None:
                bank.call(
                    "POST",
                    "/control/behaviours",
                    json={"behaviour": behaviour, "match_reference": bank_reference(t.grant_id, t.number)},
                )

        @rule(days=st.integers(1, 200))
        def time_passes(self, days: int) -> None:
            self.now += timedelta(days=days)
            bank.move_clock(self.now)  # pending payments settle, settled ones due back are returned
            self.now = max(self.now, bank.clock())
            poll_turn(self.db, self.provider, max_attempts=3, clock=self.clock)
            returns_turn(self.db, self.provider, clock=self.clock)
            conditions.due_turn(self.db, policy=POLICY, clock=self.clock)

        @rule(pick=PICK)
        def repay(self, pick: int) -> None:
            if (t := self.tranche(pick)) is not None:
                self.act(lambda uow: returns.repay(uow, t.tranche_id, OFFICER, policy=POLICY, clock=self.clock))

        @precondition(lambda self: self.grants)
        @rule(
            pick=PICK,
            total=st.none() | st.integers(1, 5_000_000),
            pattern=st.none() | st.sampled_from(["semi_annual", "annual"]),
        )
        def vary(self, pick: int, total: int | None, pattern: str | None) -> None:
            self.variation(self.grant(pick), VariationRequest("reprofile", "plan changed", total, pattern))

        @precondition(lambda self: self.grants)
        @rule(pick=PICK)
        def close(self, pick: int) -> None:
            self.variation(self.grant(pick), VariationRequest("closure", "partnership dissolved"))

        def variation(self, grant_id: str, ask: VariationRequest) -> None:
            asked = self.act(lambda uow: variations.request(uow, grant_id, OFFICER, ask, clock=self.clock))
            if isinstance(asked, Variation) and asked.status == VARIATION_PENDING:  # every variation: 202
                vid = asked.variation_id
                mine = self.act(
                    lambda uow: variations.decide(
                        uow,
                        grant_id,
                        vid,
                        staff("fiona", Role.FINANCE_APPROVER),
                        approve=True,
                        policy=POLICY,
                        clock=self.clock,
                    )
                )
                assert isinstance(mine, AppError) and mine.code == "approver-is-requester"
                decided = self.act(
                    lambda uow: variations.decide(
                        uow, grant_id, vid, APPROVER, approve=True, policy=POLICY, clock=self.clock
                    )
                )
                if isinstance(decided, AppError):  # cannot apply now (a payment in flight): withdraw it
                    self.act(
                        lambda uow: variations.decide(
                            uow, grant_id, vid, APPROVER, approve=False, policy=POLICY, clock=self.clock
                        )
                    )

        @rule(compliant=st.booleans())
        def partnership_changes(self, compliant: bool) -> None:
            self.compliant_at += timedelta(seconds=1)
            self.deliver(partnership(compliant, self.compliant_at), self.on_partnership)

        @precondition(lambda self: self.delivered)
        @rule(pick=PICK, same_id=st.booleans())
        def duplicate_delivery(self, pick: int, same_id: bool) -> None:
            envelope, handler = self.delivered[pick % len(self.delivered)]
            again = envelope if same_id else envelope.model_copy(update={"event_id": new_id()})
            delivered = deliver(self.sessions, again, handler)
            assert delivered is not same_id  # the inbox drops a repeat of the same event id

        @rule()
        def reconcile(self) -> None:
            poll_turn(self.db, self.provider, max_attempts=3, clock=self.clock)
            returns_turn(self.db, self.provider, clock=self.clock)
            assert reconcile_turn(self.db, self.provider, grace_s=0, clock=self.clock) == 0

        @invariant()
        def stored_statuses_moved_as_the_domain_allows(self) -> None:
            if hasattr(self, "sessions"):
                with self.sessions() as session:
                    moves = stored_moves(session)
                SEEN.update(moves)
                assert not forbidden(moves), forbidden(moves)

        @invariant()
        def no_tranche_goes_before_the_one_before_it(self) -> None:
            if hasattr(self, "sessions"):
                with self.sessions() as session:
                    rows = session.execute(
                        select(Tranche.grant_id, Tranche.number, Tranche.status, Tranche.pending_change)
                        .where(Tranche.status != "cancelled")
                        .order_by(Tranche.grant_id, Tranche.number)
                    ).all()
                for before, after in zip(rows, rows[1:], strict=False):
                    if before.grant_id == after.grant_id and after.status in GONE_AHEAD:
                        repaying = before.pending_change is not None  # it had gone, came back, awaits its repayment
                        assert before.status in GONE_AHEAD or repaying, (before, after)

        @invariant()
        def ledger_holds(self) -> None:
            if hasattr(self, "sessions"):
                with self.sessions() as session:
                    failed = [f"{r.name}: {r.detail}" for r in run_checks(session) if not r.ok]
                assert not failed, failed

    return PaymentsMachine
