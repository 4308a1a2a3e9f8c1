"""The authorisation matrix of payments: every route x every caller x own / other organisation, every cell checked.

Grants and tranches belong to an organisation: its applicants read them, another organisation's applicants get the
404 an unknown id gets. Everything else is the fund's: staff read, finance officers and approvers and assessors each
do their own part. A 409 cell is a caller the route lets through whose request the tranche's state refuses (retry
needs a failed tranche, repay a returned one: test_repay.py and test_api_tranches.py pay those against the bank).
The machinery is tests/support/authz_matrix.py; grants are awarded through the consumer, the rest through the API.
"""

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import count
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.auth import Role
from grants_shared.delivery.writer import Database
from grants_shared.uow import UnitOfWork
from payments.adapters.provider import SandboxBankProvider
from payments.api import create_app
from payments.consumers.loops import dispatch_turn, returns_turn
from payments.usecases.differences import difference_id_of, raise_difference
from payments_tests.bank import Bank
from payments_tests.conftest import THRESHOLD
from payments_tests.flow import pay_what_is_released
from payments_tests.kit import (
    AWARDED_AT,
    award_and_open,
    awarded,
    bearer,
    deliver,
    on_grant_awarded,
    on_round_opened,
    round_opened,
    tranches,
)
from tests.support.authz_matrix import Cell, Snapshot, World, cells, uncovered, wrong_cells

MATRIX = """
method route                                       whose app  ass  op   int  fo   fa   none exp  aud
GET    /grants                                     own   200  200  200  403  200  200  401  401  401
GET    /grants                                     other 200  200  200  403  200  200  401  401  401
GET    /grants/{grant}                             own   200  200  200  403  200  200  401  401  401
GET    /grants/{grant}                             other 404  200  200  403  200  200  401  401  401
GET    /tranches/{tranche}                         own   200  200  200  403  200  200  401  401  401
GET    /tranches/{tranche}                         other 404  200  200  403  200  200  401  401  401
GET    /grants/{grant}/variations                  own   403  403  200  403  200  200  401  401  401
GET    /grants/{grant}/variations                  other 403  403  200  403  200  200  401  401  401
POST   /grants/{grant}/agreement                   own   403  403  403  403  200  403  401  401  401
POST   /grants/{grant}/agreement                   other 403  403  403  403  200  403  401  401  401
POST   /grants/{grant}/plan/endorse                own   403  200  403  403  403  403  401  401  401
POST   /grants/{grant}/plan/endorse                other 403  200  403  403  403  403  401  401  401
POST   /grants/{grant}/variations                  own   403  403  403  403  202  403  401  401  401
POST   /grants/{grant}/variations                  other 403  403  403  403  202  403  401  401  401
POST   /grants/{grant}/close                       own   403  403  403  403  202  403  401  401  401
POST   /grants/{grant}/close                       other 403  403  403  403  202  403  401  401  401
POST   /grants/{grant}/variations/{var}/approve    own   403  403  403  403  403  200  401  401  401
POST   /grants/{grant}/variations/{var}/approve    other 403  403  403  403  403  200  401  401  401
POST   /grants/{grant}/variations/{var}/reject     own   403  403  403  403  403  200  401  401  401
POST   /grants/{grant}/variations/{var}/reject     other 403  403  403  403  403  200  401  401  401
POST   /tranches/{tranche}/approve                 own   403  403  403  403  403  200  401  401  401
POST   /tranches/{tranche}/approve                 other 403  403  403  403  403  200  401  401  401
POST   /tranches/{tranche}/hold                    own   403  403  403  403  200  403  401  401  401
POST   /tranches/{tranche}/hold                    other 403  403  403  403  200  403  401  401  401
POST   /tranches/{tranche}/resume                  own   403  403  403  403  200  403  401  401  401
POST   /tranches/{tranche}/resume                  other 403  403  403  403  200  403  401  401  401
POST   /tranches/{tranche}/retry                   own   403  403  403  403  200  403  401  401  401
POST   /tranches/{tranche}/retry                   other 403  403  403  403  200  403  401  401  401
POST   /tranches/{tranche}/repay                   own   403  403  403  403  200  403  401  401  401
POST   /tranches/{tranche}/repay                   other 403  403  403  403  200  403  401  401  401
GET    /instructions                               own   403  403  200  403  200  200  401  401  401
GET    /instructions                               other 403  403  200  403  200  200  401  401  401
GET    /fund/obligations                          own   403  403  200  403  200  200  401  401  401
GET    /fund/obligations                          other 403  403  200  403  200  200  401  401  401
GET    /ledger/balances                            own   403  403  200  403  200  200  401  401  401
GET    /ledger/balances                            other 403  403  200  403  200  200  401  401  401
GET    /ledger/check                               own   403  403  200  403  200  200  401  401  401
GET    /ledger/check                               other 403  403  200  403  200  200  401  401  401
GET    /reconciliation                             own   403  403  200  403  200  200  401  401  401
GET    /reconciliation                             other 403  403  200  403  200  200  401  401  401
POST   /reconciliation/differences/{diff}/resolve  own   403  403  403  403  403  200  401  401  401
POST   /reconciliation/differences/{diff}/resolve  other 403  403  403  403  403  200  401  401  401
"""
BODIES: dict[str, Any] = {
    "POST /grants/{grant}/agreement": {"signed_on": AWARDED_AT.date().isoformat(), "reference": "AGR-M"},
    "POST /grants/{grant}/plan/endorse": {"note": "The plan meets the fund's priorities."},
    "POST /grants/{grant}/variations": {"new_total_pence": 1_000_000, "reason": "The plan shrank."},
    "POST /grants/{grant}/close": {"reason": "The partnership dissolved."},
    "POST /tranches/{tranche}/hold": {"reason": "An audit query is open."},
    "POST /reconciliation/differences/{diff}/resolve": {"note": "A stray payment, refunded by the bank."},
}
OWNER, STRANGER = "org-owner", "org-stranger"
AWARD = 1_200_000  # six tranches of 200,000p over 36 months, each below the approval threshold
SEED_OFFICER = bearer(Role.FINANCE_OFFICER, subject="seed-officer")


@pytest.fixture
def unlimited(env: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The API without rate limiting: the matrix makes hundreds of calls in a second."""
    monkeypatch.setenv("GRANTS_RATE_LIMIT_ENABLED", "false")
    with TestClient(create_app(), raise_server_exceptions=False) as client:
        yield client


class Seed:
    """Real objects: grants awarded through the consumer and opened, variations and holds asked through the API."""

    def __init__(
        self, client: TestClient, sessions: sessionmaker[Session], provider: SandboxBankProvider, bank: Bank
    ) -> None:
        self.client, self.sessions, self.numbers = client, sessions, count(1)
        self.provider, self.bank = provider, bank
        deliver(sessions, round_opened(10**12), on_round_opened)

    def grant(self, organisation_id: str = OWNER, amount: int = AWARD, months: int = 36, opened: bool = True) -> str:
        """A grant of the organisation (with tranche 1's conditions met when `opened`); its id."""
        grant_id = f"g-{next(self.numbers)}"
        envelope = awarded(grant_id, amount, months, organisation_id=organisation_id, partnership_id=f"p-{grant_id}")
        if opened:
            award_and_open(self.sessions, envelope, on_grant_awarded)
        else:
            deliver(self.sessions, envelope, on_grant_awarded)
        return grant_id

    def pending_variation(self, grant_id: str) -> str:
        """A change of the grant's total asked by another officer, awaiting a finance approver."""
        body = {"new_total_pence": 1_100_000, "reason": "The plan changed."}
        response = self.client.post(f"/grants/{grant_id}/variations", json=body, headers=SEED_OFFICER)
        assert response.status_code == 202, response.text
        return str(response.json()["variation_id"])

    def held_tranche(self, grant_id: str) -> str:
        """Tranche 2 of the grant, held by another officer."""
        tranche_id = tranches(self.sessions, grant_id)[1].tranche_id
        held = self.client.post(f"/tranches/{tranche_id}/hold", json={"reason": "Query."}, headers=SEED_OFFICER)
        assert held.status_code == 200, held.text
        return str(tranche_id)

    def awaiting_approval(self) -> str:
        """Tranche 1 of a grant above the threshold, released by the seed's assessor and awaiting an approver."""
        grant_id = self.grant(amount=4 * (THRESHOLD + 1), months=24)
        first = tranches(self.sessions, grant_id)[0]
        assert first.status == "awaiting_approval", first.status
        return str(first.tranche_id)

    def failed_tranche(self) -> str:
        """Tranche 1 of a fresh grant, failed by the bank on its only attempt (so an officer may retry it)."""
        pay_what_is_released(self.sessions, self.provider, self.bank)  # the failure must meet this payment alone
        grant_id = self.grant()
        self.bank.queue("fail")
        dispatch_turn(Database(self.sessions), self.provider, max_attempts=1)
        first = tranches(self.sessions, grant_id)[0]
        assert first.status == "failed", first.status
        return str(first.tranche_id)

    def returned_tranche(self) -> str:
        """Tranche 1 of a fresh grant, paid and then returned by the payee's bank (so an officer may repay it)."""
        pay_what_is_released(self.sessions, self.provider, self.bank)  # the return must meet this payment alone
        grant_id = self.grant()
        self.bank.queue("return")
        pay_what_is_released(self.sessions, self.provider, self.bank)
        deadline = time.monotonic() + 10
        while tranches(self.sessions, grant_id)[0].status != "returned":
            assert time.monotonic() < deadline, "the bank never returned the payment"
            if returns_turn(Database(self.sessions), self.provider) == 0:
                time.sleep(0.05)  # the bank returns it a moment after settling
        return str(tranches(self.sessions, grant_id)[0].tranche_id)

    def difference(self) -> str:
        """An open reconciliation difference: a bank line no instruction matches."""
        subject = f"stray-{next(self.numbers)}"
        with UnitOfWork(self.sessions) as uow:
            raise_difference(uow, "unmatched_bank_line", subject, datetime.now(UTC), detail="A payment not ours.")
            uow.commit()
        return str(difference_id_of("unmatched_bank_line", subject))

    def targets(self, grant_id: str) -> dict[str, str]:
        """The ids every route names, on one grant of the owner."""
        return {
            "org": OWNER,
            "grant": grant_id,
            "tranche": tranches(self.sessions, grant_id)[1].tranche_id,
            "var": self.pending_variation(grant_id),
            "diff": self.difference(),
        }


def world(client: TestClient, sessions: sessionmaker[Session], provider: SandboxBankProvider, bank: Bank) -> World:
    """A grant of each organisation; fresh objects in the state each writing route needs."""
    seed = Seed(client, sessions, provider, bank)
    seed.grant(STRANGER)
    shared = seed.targets(seed.grant())

    def fresh(cell: Cell) -> dict[str, str]:
        ids = {**shared, "grant": seed.grant(opened=not cell.route.endswith(("/agreement", "/endorse")))}
        if "/variations/{var}/" in cell.route:
            ids["var"] = seed.pending_variation(ids["grant"])
        if cell.route == "/tranches/{tranche}/approve":
            ids["tranche"] = seed.awaiting_approval()
        if cell.route == "/tranches/{tranche}/hold":
            ids["tranche"] = tranches(sessions, ids["grant"])[1].tranche_id
        if cell.route == "/tranches/{tranche}/resume":
            ids["tranche"] = seed.held_tranche(ids["grant"])
        if cell.route == "/tranches/{tranche}/retry":
            ids["tranche"] = seed.failed_tranche()
        if cell.route == "/tranches/{tranche}/repay":
            ids["tranche"] = seed.returned_tranche()
        if cell.route.startswith("/reconciliation/"):
            ids["diff"] = seed.difference()
        return ids

    return World(OWNER, STRANGER, shared, fresh, lambda cell, ids: BODIES.get(f"{cell.method} {cell.route}"))


def test_every_route_has_rows_in_the_matrix(unlimited: TestClient) -> None:
    assert uncovered(unlimited.app, cells(MATRIX)) == []  # type: ignore[arg-type]


def test_every_cell_of_the_authorisation_matrix(
    unlimited: TestClient, sessions: sessionmaker[Session], provider: SandboxBankProvider, bank: Bank
) -> None:
    matrix = cells(MATRIX)
    wrong = wrong_cells(unlimited, matrix, world(unlimited, sessions, provider, bank), Snapshot(sessions))
    assert wrong == [], "\n".join(wrong)
    assert len(matrix) == 21 * 2 * 9
