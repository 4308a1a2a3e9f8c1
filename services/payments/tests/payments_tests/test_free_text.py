"""Free text with a control character is a 422 on every payments route that stores text, on every database.

PostgreSQL text cannot hold NUL: before the shared rule (grants_shared.http.text) a NUL in a hold reason, a note or a
payee's name was a 500 there, or was stored and announced in an event elsewhere. Each case runs against a real grant,
so without the rule the text would reach the database.
"""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.auth import Role
from payments_tests.kit import AWARDED_AT, awarded, bearer, deliver, events, on_grant_awarded, tranches, writes
from payments_tests.test_api_reads import problem

Sessions = sessionmaker[Session]
STAFF = bearer(Role.FINANCE_OFFICER, Role.FINANCE_APPROVER, Role.ASSESSOR, subject="fiona")
BAD = ["Audit\x00query", "\x1b[31mred", "Tab\x7f", "C1\x85"]
PAYEE = {"name": "Trust Ltd", "sort_code": "123456", "account_number": "12345678"}


def routes(first: str, second: str) -> list[tuple[str, Any]]:
    """(path, body with BAD's {bad} in a free-text field) for every payments route that takes text."""
    return [
        (f"/tranches/{second}/hold", {"reason": "{bad}"}),
        (f"/tranches/{second}/resume", {"note": "{bad}"}),
        (f"/tranches/{second}/approve", {"note": "{bad}"}),
        (f"/tranches/{second}/retry", {"note": "{bad}"}),
        (f"/tranches/{first}/repay", {"note": "{bad}"}),
        (f"/tranches/{first}/repay", {"payee": {**PAYEE, "name": "{bad}"}}),
        ("/grants/g-1/agreement", {"signed_on": AWARDED_AT.date().isoformat(), "reference": "{bad}"}),
        ("/grants/g-1/plan/endorse", {"note": "{bad}"}),
        ("/grants/g-1/variations", {"pattern": "annual", "reason": "{bad}"}),
        ("/grants/g-1/close", {"reason": "{bad}"}),
        ("/reconciliation/differences/d-1/resolve", {"note": "{bad}"}),
    ]


def filled(body: Any, bad: str) -> Any:
    """`body` with every "{bad}" replaced by `bad`."""
    if isinstance(body, dict):
        return {key: filled(value, bad) for key, value in body.items()}
    return bad if body == "{bad}" else body


@pytest.mark.parametrize("bad", BAD)
def test_a_control_character_in_any_free_text_is_a_422_and_writes_nothing(
    client: TestClient, sessions: Sessions, bad: str
) -> None:
    deliver(sessions, awarded(amount=800_000, months=12), on_grant_awarded)
    first, second = [t.tranche_id for t in tranches(sessions)][:2]
    before, sent = writes(sessions), len(events(sessions))
    for path, body in routes(first, second):
        response = client.post(path, json=filled(body, bad), headers=STAFF)
        refused = problem(response, 422, "validation-error")
        assert "control characters are not allowed" in str(refused["errors"]), (path, refused)
    assert writes(sessions) == before and len(events(sessions)) == sent
    assert [t.status for t in tranches(sessions)][1] == "scheduled"


def test_text_is_stored_trimmed_with_its_line_breaks_and_a_payee_name_is_one_line(
    client: TestClient, sessions: Sessions
) -> None:
    deliver(sessions, awarded(amount=800_000, months=12), on_grant_awarded)
    first, second = [t.tranche_id for t in tranches(sessions)][:2]
    held = client.post(f"/tranches/{second}/hold", json={"reason": "  audit query:\n\tsee file  "}, headers=STAFF)
    assert held.status_code == 200, held.text
    assert held.json()["held_reasons"] == ["held by finance: audit query:\n\tsee file"]
    two_lines = client.post(f"/tranches/{first}/repay", json={"payee": {**PAYEE, "name": "Trust\nLtd"}}, headers=STAFF)
    problem(two_lines, 422, "validation-error")
