"""Fifteen years of one grant on a controlled clock: 30 tranches each paid exactly once, the ledger exact to the penny.

Reports are accepted on time but one, which is late: its tranche falls due, is held with the reason and released by
the late report. The partnership lapses once: every unpaid tranche is held until it complies again. One payment
comes back (the account closed) and is paid again to new bank details.
"""

import time
from collections import Counter
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.auth import Role
from payments.adapters.ledger_store import balances
from payments.adapters.orm import Grant, PaymentInstruction
from payments.adapters.provider import Payee
from payments.adapters.release_policy import load_policy
from payments.read.reconciliation import summary
from payments.usecases import returns
from payments.usecases.instructions import bank_reference
from payments_tests.bank import Bank
from payments_tests.kit import awarded, events, ledger_failures, staff, tranches
from payments_tests.simulation import Simulation

Sessions = sessionmaker[Session]
GRANT, TRANCHES = "g-15y", 30
AWARD = TRANCHES * 800_000 + 17  # every tranche above the approval threshold; 17 remainder pennies
LATE, LAPSE, RETURNED = 8, 19, 12  # the tranche after the late report, the first held by the lapse, the returned


def test_a_fifteen_year_grant_from_award_to_completion(sessions: Sessions, clock_bank: Bank) -> None:
    started = time.perf_counter()
    sim = Simulation(sessions, clock_bank, load_policy())  # the fund's own policy: every release, 30 days ahead
    awarded_at = sim.now
    sim.award(awarded(GRANT, amount=AWARD, months=180, awarded_at=awarded_at))
    assert [t.status for t in tranches(sessions, GRANT)][:2] == ["held", "scheduled"]
    sim.sign_and_endorse(GRANT)
    sim.approve_waiting(GRANT)
    sim.advance_to(sim.now + timedelta(days=1))
    year_five = awarded_at + timedelta(days=5 * 365)
    paid_by_year_five = 0
    for number in range(2, TRANCHES + 1):
        live_through_period(sim, number)
        sim.advance_to(sim.now + timedelta(days=1))  # the bank settles it
        if number == RETURNED:
            repay_the_returned_tranche(sim, sessions)
        if sim.now <= year_five:
            paid_by_year_five = paid_so_far(sessions)
    sim.advance_to(sim.now + timedelta(days=30))
    print(f"\nfifteen years simulated in {time.perf_counter() - started:.1f}s")
    assert_completed_to_the_penny(sessions, clock_bank, sim)
    with sessions() as session:
        assert -balances(session, year_five)["cash:paid"] == paid_by_year_five > 0  # the ledger as of any date
    sim.close()


def live_through_period(sim: Simulation, number: int) -> None:
    """From one tranche to the next: the report for the period before `number`, and its release and approval."""
    due = tranches(sim.sessions, GRANT)[number - 1].due_on
    due_at = sim.now.replace(year=due.year, month=due.month, day=due.day)
    if number == LATE:
        sim.advance_to(due_at + timedelta(days=1))
        held = tranches(sim.sessions, GRANT)[number - 1]
        assert held.status == "held" and held.holds[0]["reason"].startswith("previous_report_accepted")
        sim.advance_to(due_at + timedelta(days=40))  # the report comes in late
    elif number == LAPSE:
        sim.advance_to(due_at - timedelta(days=20))
        sim.partnership(False)
        assert {t.status for t in tranches(sim.sessions, GRANT)[LAPSE - 1 :]} == {"held"}
        sim.advance_to(due_at - timedelta(days=5))
        sim.accept_report(GRANT, number - 1)
        assert tranches(sim.sessions, GRANT)[number - 1].status == "held"  # the report counts, the lapse holds it
        sim.advance_to(due_at + timedelta(days=60))
        sim.partnership(True)
    else:
        sim.advance_to(due_at - timedelta(days=5))
    if number != LAPSE:
        sim.accept_report(GRANT, number - 1)
    if number == RETURNED:
        sim.bank.call(
            "POST",
            "/control/behaviours",
            json={"behaviour": "return", "match_reference": bank_reference(GRANT, number)},
        )
    assert sim.approve_waiting(GRANT) == 1, number
    sim.turns()


def repay_the_returned_tranche(sim: Simulation, sessions: Sessions) -> None:
    """The payee's bank sends tranche 12 back a day later; finance pays it again to the new account."""
    sim.advance_to(sim.now + timedelta(days=1))
    returned = tranches(sessions, GRANT)[RETURNED - 1]
    assert returned.status == "returned"
    payee = Payee("New account of the partnership", "309634", "87654321")
    sim.act(
        lambda uow: returns.repay(
            uow,
            returned.tranche_id,
            staff("fiona", Role.FINANCE_OFFICER),
            policy=sim.policy,
            payee=payee,
            clock=sim.clock,
        )
    )
    assert sim.approve_waiting(GRANT) == 1
    sim.turns()
    sim.advance_to(sim.now + timedelta(days=1))


def paid_so_far(sessions: Sessions) -> int:
    """What has left the fund for the grant and stayed out."""
    with sessions() as session:
        return -balances(session, None).get("cash:paid", 0) - balances(session, None).get("cash:returned", 0)


def assert_completed_to_the_penny(sessions: Sessions, bank: Bank, sim: Simulation) -> None:
    """All 30 tranches paid exactly once, the grant completed, every account exact, bank and ledger agreeing."""
    schedule = tranches(sessions, GRANT)
    assert [t.status for t in schedule] == ["settled"] * TRANCHES
    assert sum(t.amount_pence for t in schedule) == AWARD and schedule[0].amount_pence == 800_001
    with sessions() as session:
        grant = session.get(Grant, GRANT)
        settled = Counter(
            session.scalars(select(PaymentInstruction.tranche_id).where(PaymentInstruction.status == "settled"))
        )
        totals = {a: b for a, b in balances(session, None).items() if b}
        recon = summary(session, status="all", limit=10, offset=0)
    assert grant is not None and grant.status == "completed" and grant.completed_at is not None
    assert grant.completed_at.year - sim.now.year in (0, -1) and grant.completed_at.year >= 2040
    assert sorted(settled.values()) == [1] * TRANCHES
    lines = Counter((ln["reference"], ln["kind"]) for ln in bank.settlements())
    for t in schedule:
        expected = (2, 1) if t.number == RETURNED else (1, 0)
        assert (
            lines[(bank_reference(GRANT, t.number), "settled")],
            lines[(bank_reference(GRANT, t.number), "returned")],
        ) == expected, t.number
    back = schedule[RETURNED - 1].amount_pence
    assert totals == {"fund:awarded": AWARD, "cash:paid": -(AWARD + back), "cash:returned": back}
    assert ledger_failures(sessions) == []
    assert (recon["open_differences"], recon["total"], recon["unmatched_postings"]) == (0, 0, 0)
    assert recon["matched_lines"] == recon["lines"] == TRANCHES + 2
    assert [e["paid_pence"] for e in events(sessions, "grant-completed")] == [AWARD]
    held = {e["number"] for e in events(sessions, "tranche-held")}
    assert {1, LATE, *range(LAPSE, TRANCHES + 1)} <= held and {2, 3, 7, 9} & held == set()
    assert LATE in {e["number"] for e in events(sessions, "tranche-resumed")}
