"""Resolving a difference by hand, against a real bank: a stray bank payment no match will ever close is resolved by a
finance approver with a note, once (row, audit entry and one event together); a second try is refused and announces
nothing, a retry with the same Idempotency-Key gets the first answer, and only an approver may do it.
"""

from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from grants_shared import tables
from grants_shared.auth import Role
from grants_shared.clock import as_utc as utc
from grants_shared.ids import new_id
from payments.adapters.orm_reconciliation import ReconciliationDifference
from payments_tests.bank import Bank
from payments_tests.kit import Sessions, bearer, count, events, ledger_failures
from payments_tests.test_reconciliation import envelopes, later, reconcile, reconcile_from_now

APPROVER = bearer(Role.FINANCE_APPROVER, subject="amira")
SECOND_APPROVER = bearer(Role.FINANCE_APPROVER, subject="bola")
OFFICER = bearer(Role.FINANCE_OFFICER, subject="fiona")
FINANCE = OFFICER
RESOLVED = "reconciliation-difference-resolved"
NOTE = "Paid at the bank outside the platform; recovered by hand (ticket FIN-12)."


def url(difference_id: str) -> str:
    return f"/reconciliation/differences/{difference_id}/resolve"


def a_stray_payment_raised(sessions: Sessions, bank: Bank, amount: int = 12_345) -> str:
    """A payment made at the bank outside the platform, raised as unmatched_bank_line; the difference's id."""
    reconcile_from_now(sessions, bank)
    bank.pay_directly(f"not-ours-{new_id()}", amount, "STRAY-1")
    later(bank, 12)  # past the grace period
    assert reconcile(sessions, bank) == 1
    [found] = events(sessions, "reconciliation-difference-found")
    assert found["kind"] == "unmatched_bank_line"
    return str(found["difference_id"])


def audit_entries(sessions: Sessions, entity_id: str) -> list[Any]:
    with sessions() as session:
        t = tables.audit_log
        return list(session.execute(select(t).where(t.c.entity_id == entity_id).order_by(t.c.id)))


def row(sessions: Sessions, difference_id: str) -> ReconciliationDifference:
    with sessions() as session:
        found = session.get(ReconciliationDifference, difference_id)
        assert found is not None
        return found


def written(sessions: Sessions) -> tuple[int, int, int]:
    """What a refused request must not change: outbox, audit and stored idempotent answers."""
    return count(sessions, tables.outbox), count(sessions, tables.audit_log), count(sessions, tables.idempotency_keys)


def test_an_approver_resolves_a_stray_bank_payment_once_with_a_note(
    client: TestClient, sessions: Sessions, clock_bank: Bank
) -> None:
    difference_id = a_stray_payment_raised(sessions, clock_bank)
    assert row(sessions, difference_id).resolved_at is None
    outbox_before = count(sessions, tables.outbox)

    answer = client.post(
        url(difference_id), json={"note": f"  {NOTE}  "}, headers={**APPROVER, "Idempotency-Key": "resolve-1"}
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["difference_id"], body["kind"], body["resolved_by"], body["resolution_note"]) == (
        difference_id,
        "unmatched_bank_line",
        "amira",
        NOTE,
    )
    resolved_at = datetime.fromisoformat(body["resolved_at"])

    stored = row(sessions, difference_id)  # the row records when, who and why
    assert (stored.resolved_by, stored.resolution_note) == ("amira", NOTE)
    assert stored.resolved_at is not None and utc(stored.resolved_at) == resolved_at

    [entry] = audit_entries(sessions, difference_id)  # audited with the state before and after
    assert (entry.actor, entry.action, entry.entity_type) == (
        "amira",
        "difference.resolved",
        "reconciliation_difference",
    )
    assert [entry.before[k] for k in ("resolved_at", "resolved_by", "resolution_note")] == [None, None, None]
    assert (entry.after["resolved_by"], entry.after["resolution_note"]) == ("amira", NOTE)
    assert entry.after["resolved_at"] is not None

    [announced] = envelopes(sessions, RESOLVED)  # announced once, in the same transaction
    assert count(sessions, tables.outbox) == outbox_before + 1
    assert announced["outbox_subject"] == announced["subject"] == "reconciliation"  # a stray line has no grant
    assert {k: announced["payload"][k] for k in ("difference_id", "kind", "grant_id", "resolved_by", "note")} == {
        "difference_id": difference_id,
        "kind": "unmatched_bank_line",
        "grant_id": None,
        "resolved_by": "amira",
        "note": NOTE,
    }
    assert datetime.fromisoformat(announced["payload"]["resolved_at"]) == resolved_at

    before = written(sessions)
    replay = client.post(
        url(difference_id), json={"note": f"  {NOTE}  "}, headers={**APPROVER, "Idempotency-Key": "resolve-1"}
    )
    assert replay.status_code == 200 and replay.json() == body  # the first answer, not a second effect
    assert replay.headers.get("Idempotent-Replayed") == "true"
    again = client.post(url(difference_id), json={"note": "Resolved again"}, headers=SECOND_APPROVER)
    assert again.status_code == 409 and again.headers["content-type"].startswith("application/problem+json")
    problem = again.json()
    assert (problem["code"], problem["resolved_by"]) == ("difference-already-resolved", "amira")
    assert datetime.fromisoformat(problem["resolved_at"]) == resolved_at
    keyed = client.post(
        url(difference_id), json={"note": "Resolved again"}, headers={**APPROVER, "Idempotency-Key": "resolve-2"}
    )
    assert keyed.status_code == 409 and keyed.json()["code"] == "difference-already-resolved"
    assert written(sessions) == before  # nothing announced, audited or remembered
    assert len(envelopes(sessions, RESOLVED)) == 1

    view = client.get("/reconciliation", params={"status": "resolved"}, headers=FINANCE).json()
    [shown] = view["differences"]
    assert (shown["difference_id"], shown["resolved_by"], shown["resolution_note"]) == (difference_id, "amira", NOTE)
    assert view["open_differences"] == 0 and client.get("/reconciliation", headers=FINANCE).json()["differences"] == []
    later(clock_bank, 10)
    assert reconcile(sessions, clock_bank) == 0  # the next turn neither raises it again nor resolves it again
    assert len(envelopes(sessions, RESOLVED)) == 1
    assert ledger_failures(sessions) == []


def test_only_an_approver_resolves_and_only_a_known_difference_with_a_good_note(
    client: TestClient, sessions: Sessions, clock_bank: Bank
) -> None:
    difference_id = a_stray_payment_raised(sessions, clock_bank, amount=777)
    before = written(sessions)

    for who in (OFFICER, bearer(Role.OPERATOR, subject="ola"), bearer(Role.ASSESSOR, subject="asha")):
        refused = client.post(url(difference_id), json={"note": NOTE}, headers={**who, "Idempotency-Key": "k-403"})
        assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert client.post(url(difference_id), json={"note": NOTE}).status_code == 401

    unknown = client.post(url(new_id()), json={"note": NOTE}, headers={**APPROVER, "Idempotency-Key": "k-404"})
    assert unknown.status_code == 404 and unknown.json()["code"] == "difference-not-found"
    assert unknown.headers["content-type"].startswith("application/problem+json")

    bad_bodies: list[Any] = [
        {},
        {"note": ""},
        {"note": "   "},
        {"note": "x" * 1001},
        {"note": "two\nlines"},
        {"note": "tab\there"},
        {"note": "bell\x07"},
        {"note": "c1 \x85 control"},
        {"note": 12},
        {"note": None},
        {"note": NOTE, "resolved_by": "someone else"},
        [NOTE],
    ]
    for bad in bad_bodies:
        answer = client.post(url(difference_id), json=bad, headers={**APPROVER, "Idempotency-Key": "k-422"})
        assert answer.status_code == 422, (bad, answer.text)
        assert answer.json()["code"] == "validation-error"
    assert (
        client.post(
            url(difference_id), content=b"not json", headers={**APPROVER, "Content-Type": "application/json"}
        ).status_code
        == 422
    )

    assert written(sessions) == before  # every refusal left nothing behind
    assert row(sessions, difference_id).resolved_at is None
    assert envelopes(sessions, RESOLVED) == []

    longest = "é" * 1000  # 1000 characters is the limit, whatever their bytes
    done = client.post(url(difference_id), json={"note": longest}, headers={**APPROVER, "Idempotency-Key": "k-422"})
    assert done.status_code == 200 and done.json()["resolution_note"] == longest
    assert [e["payload"]["note"] for e in envelopes(sessions, RESOLVED)] == [longest]
    assert ledger_failures(sessions) == []
