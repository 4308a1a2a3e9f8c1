"""The fund position and a grant's timeline, read through the API."""

import random
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.auth import Role
from grants_shared.events import PartnershipChanged, wrap
from reporting.domain.position import breakdown, share_bp

from .conftest import APPLICANT, FINANCE, auth
from .story import T0, Story, deliver, deliver_eventually


def two_grants(sessions: sessionmaker[Session]) -> tuple[Story, Story]:
    """Grant 1 (decile 1, one tranche paid) and grant 2 (decile 3, one tranche paid and returned)."""
    one = Story(n=1, decile=1, region="E12000004", amount=150_000_000)
    two = Story(n=2, organisation_id="org-2", decile=3, region="E12000007", amount=200_000_000)
    events = [
        one.round_opened(),
        *one.up_to_award(),
        *one.paid_tranche(1, date(2026, 2, 1)),
        one.scheduled(2, date(2026, 8, 1)),
        one.scheduled(3, date(2027, 2, 1)),
        *two.up_to_award(),
        *two.paid_tranche(1, date(2026, 2, 1)),
        two.returned(1),
        two.scheduled(2, date(2026, 8, 1)),
        two.released(2),
    ]
    for envelope in events:
        deliver(sessions, envelope)
    return one, two


def test_share_in_basis_points_rounds_down() -> None:
    assert share_bp(150, 350) == 4285 and share_bp(1, 3) == 3333 and share_bp(5, 0) == 0 and share_bp(7, 7) == 10_000


def test_the_fund_position_adds_up_to_the_penny(client: TestClient, sessions: sessionmaker[Session]) -> None:
    two_grants(sessions)
    response = client.get("/fund/position", params={"as_of": "2026-08-01"}, headers=FINANCE)
    assert response.status_code == 200, response.text
    position = response.json()
    assert {
        k: position[k]
        for k in (
            "budget_pence",
            "committed_pence",
            "paid_pence",
            "paid_gross_pence",
            "returned_pence",
            "remaining_pence",
            "unpaid_commitments_pence",
            "grants",
        )
    } == {
        "budget_pence": 1_000_000_000,
        "committed_pence": 350_000_000,
        "paid_pence": 37_500_000,  # net of returns (docs/reporting.md, "Money words")
        "paid_gross_pence": 87_500_000,
        "returned_pence": 50_000_000,
        "remaining_pence": 650_000_000,
        "unpaid_commitments_pence": 312_500_000,
        "grants": 2,
    }
    # Due by 1 Aug: grant 1's tranche 2, grant 2's returned tranche 1 and released tranche 2; overdue: the returned one.
    assert (position["tranches_due"], position["tranches_due_pence"]) == (3, 137_500_000)
    assert (position["tranches_overdue"], position["tranches_overdue_pence"]) == (1, 50_000_000)
    least_first = position["least_first"]
    assert least_first["decile_1_share_bp"] == 4285
    assert least_first["by_decile"] == {
        "1": {"committed_pence": 150_000_000, "grants": 1, "share_bp": 4285},
        "3": {"committed_pence": 200_000_000, "grants": 1, "share_bp": 5714},
    }
    assert least_first["by_region"]["E12000007"]["committed_pence"] == 200_000_000
    assert all(isinstance(v, int) for v in position.values() if not isinstance(v, (dict, str)))


def test_an_empty_fund_has_a_zero_position(client: TestClient) -> None:
    position = client.get("/fund/position", headers=auth(Role.INTEGRATOR)).json()
    assert position["committed_pence"] == 0 and position["least_first"]["decile_1_share_bp"] == 0


def test_the_timeline_holds_the_application_and_grant_events_in_order(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    one = Story(n=1)
    mine = [*one.up_to_award(), *one.paid_tranche(1, date(2026, 2, 1))]
    other = Story(n=2, organisation_id="org-1")
    noise = [*other.up_to_award(), other.scheduled(1, date(2026, 2, 1))]
    partnership = wrap(
        PartnershipChanged(
            partnership_id="p-1",
            organisation_id="org-1",
            neighbourhood_code="W1",
            member_count=9,
            resident_count=6,
            compliant=True,
            outcomes=[],
            changed_at=T0,
        ),
        subject="p-1",
        occurred_at=T0,
    )
    shuffled = [*mine, *noise, partnership]
    random.Random(7).shuffle(shuffled)
    assert deliver_eventually(sessions, shuffled) > 0  # the shuffle made some events wait for others
    timeline = client.get("/grants/grant-1/timeline", headers=APPLICANT).json()
    assert timeline["grant_id"] == "grant-1" and timeline["application_id"] == "app-1"
    expected = sorted([*mine, partnership], key=lambda e: (e.occurred_at, e.event_id))
    assert [e["event_id"] for e in timeline["events"]] == [e.event_id for e in expected]
    first = timeline["events"][1]
    assert first["event_type"] == "application-submitted" and first["producer"] == "applications"
    assert first["summary"].startswith("Application submitted") and "£1,500,000" in first["summary"]
    page = client.get("/grants/grant-1/timeline", params={"limit": 2, "offset": 1}, headers=APPLICANT).json()
    assert [e["event_id"] for e in page["events"]] == [e.event_id for e in expected[1:3]]
    assert page["total"] == len(expected)


def test_deciles_are_listed_in_numeric_order() -> None:
    listed = breakdown({"10": (1, 1), "2": (1, 1), "unknown": (1, 1), "1": (1, 1)}, 4)
    assert list(listed) == ["1", "2", "10", "unknown"]
