"""Calls and checks the lifecycle state machine's rules share: every call answered below 500, as expected."""

from collections import Counter
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from applications import bootstrap

from .lifecycle_model import Model, content_passes, partnership_complies, snapshot

FROZEN = (
    "partnership_id",
    "organisation_id",
    "neighbourhood_code",
    "requested_pence",
    "duration_months",
    "themes",
    "summary",
)


class Steps:
    """Mixed into the state machine, which provides the client, the model and `owner` (object id -> org id)."""

    seen: Counter[str] = Counter()  # what the run exercised, printed at its end
    client: TestClient
    model: Model
    owner: dict[str, str]

    def call(self, method: str, path: str, headers: dict[str, str], body: Any, expect: set[int]) -> Any:
        """Make a call; it must answer one of `expect`, and never a 5xx."""
        response = self.client.request(method, path, json=body, headers=headers)
        assert response.status_code < 500, f"{method} {path} {body}: {response.status_code} {response.text}"
        assert response.status_code in expect, f"{method} {path} {body}: {response.status_code} {response.text}"
        self.seen[f"HTTP {response.status_code}"] += 1
        if response.status_code >= 400:
            assert response.headers["content-type"].startswith("application/problem+json")
        return response.json()

    def of(self, ident: str) -> dict[str, str]:
        """The headers of the applicant owning a partnership or application."""
        return self.model.orgs[self.owner[ident]].headers

    def status(self, app: str) -> str:
        """An application's status as its owner sees it."""
        return str(self.call("GET", f"/applications/{app}", self.of(app), None, {200})["status"])

    def expected(self, app: dict[str, Any], members: tuple[int, int], others_live: bool) -> dict[str, bool]:
        """Every rule's result for an application on the facts as the test knows them."""
        org = self.model.orgs[self.owner[app["id"]]]
        return {
            **partnership_complies(*members),
            "one_live_application_per_neighbourhood": not others_live,
            **content_passes(app["requested_pence"], app["duration_months"]),
            "organisation_due_diligence_passed": org.due_diligence == "passed",
            "neighbourhood_left_behind": self.model.left_behind[app["neighbourhood_code"]],
        }

    def check_submission(self, body: dict[str, Any]) -> None:
        """A submission is assessed on the facts at that moment, and its content is frozen from then on."""
        with bootstrap.sessions()() as session:
            snap = snapshot(session)
        others = [a for a in snap.apps if a.neighbourhood_code == body["neighbourhood_code"] and a.id != body["id"]]
        members = snap.membership.get(body["partnership_id"], (0, 0))
        expect = self.expected(body, members, any(a.status == "eligible" for a in others))
        assert {o["rule"]: o["passed"] for o in body["assessment"]["outcomes"]} == expect
        assert body["status"] == ("eligible" if all(expect.values()) else "ineligible")
        self.seen[f"submitted, {body['status']}"] += 1
        for rule in (r for r, ok in expect.items() if not ok):
            self.seen[f"failed {rule}"] += 1
        self.model.frozen[(body["id"], body["version"])] = {k: body[k] for k in FROZEN}

    def changing(self, partnership: str, change: Callable[[], Any]) -> None:
        """Make a membership change; each application it re-assessed must agree with the facts after it."""
        with bootstrap.sessions()() as session:
            before = snapshot(session).assessments
        change()
        with bootstrap.sessions()() as session:
            snap = snapshot(session)
        members = snap.membership.get(partnership, (0, 0))
        for app in snap.apps:
            if app.partnership_id != partnership or snap.assessments.get(app.id, 0) == before.get(app.id, 0):
                continue
            results = {o["rule"]: o["passed"] for o in snap.latest[app.id].outcomes}
            facts = {
                "id": app.id,
                "requested_pence": app.requested_pence,
                "duration_months": app.duration_months,
                "neighbourhood_code": app.neighbourhood_code,
            }
            expect = self.expected(facts, members, others_live=False)
            del expect["one_live_application_per_neighbourhood"], results["one_live_application_per_neighbourhood"]
            assert results == expect, (app.id, results, expect)
            self.seen[f"re-assessed, {app.status}"] += 1
