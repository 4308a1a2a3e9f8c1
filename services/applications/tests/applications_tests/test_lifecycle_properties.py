"""Property-based: random sequences of API calls never reach an invalid state (hypothesis stateful, on SQLite).

Each example starts from a copy of one migrated database holding the synthetic registry and drives the real API.
After every step the invariants read the database: valid statuses, submitted versions unchanged, at most one
live application per ward, every assessment agreeing with the rules on the facts, events written with their
changes, every audited status move one the domain lifecycle allows, and never a 5xx.
"""

import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from applications import bootstrap
from applications.adapters.registry import synthetic_registry
from applications.api import create_app
from applications.domain.lifecycle import Theme
from applications.usecases.registry import load_registry
from grants_shared.auth import Role
from grants_shared.db import make_engine, migrate, session_factory
from grants_shared.uow import UnitOfWork

from .kit import JOINED, OPERATOR, auth
from .lifecycle_model import (
    Model,
    Org,
    assert_lifecycle_kept,
    assert_valid,
    partnership_complies,
    snapshot,
    status_moves,
)
from .lifecycle_steps import Steps

# Mostly valid values, so that many examples reach eligible applications; the boundaries either side too.
# (Repeats weight the draw: hypothesis picks from sampled_from uniformly.)
AMOUNTS = st.sampled_from([150_000_000] * 4 + [100_000_000, 250_000_000, 99_999_999, 250_000_001])
MONTHS = st.sampled_from([120] * 4 + [150, 180, 114, 123, 186])
MEMBERS = st.sampled_from([8] * 4 + [9, 10, 7, 0, 3])
RESIDENT_SHARES = st.sampled_from([0.5] * 4 + [0.75, 1.0, 0.25, 0.0])
THEMES = st.lists(st.sampled_from([t.value for t in Theme]), min_size=1, max_size=3, unique=True)
JUNK = st.dictionaries(
    st.sampled_from(["status", "version", "requested_pence", "themes", "owner", "summary"]),
    st.one_of(st.none(), st.integers(), st.text(max_size=5), st.lists(st.integers(), max_size=2)),
    max_size=3,
)
REGISTRY = synthetic_registry(seed=0, wards=60)
FLAGGED = [w.code for w in REGISTRY.left_behind_wards()][:2]
WARDS = [*FLAGGED, *FLAGGED, next(w.code for w in REGISTRY.wards if not w.left_behind)]


class Lifecycle(Steps, RuleBasedStateMachine):
    """The API driven at random: organisations, partnerships, members, applications and bad calls."""

    template: Path
    orgs = Bundle("orgs")
    partnerships = Bundle("partnerships")
    applications = Bundle("applications")

    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp())
        shutil.copyfile(self.template, self.dir / "applications.db")
        os.environ["APPLICATIONS_DATABASE_URL"] = f"sqlite:///{self.dir / 'applications.db'}"
        bootstrap.reset()
        self.client = TestClient(create_app(), raise_server_exceptions=False)
        self.model = Model(left_behind={w.code: bool(w.left_behind) for w in REGISTRY.wards})
        self.owner: dict[str, str] = {}

    def teardown(self) -> None:
        self.client.close()
        bootstrap.reset()
        shutil.rmtree(self.dir, ignore_errors=True)

    @initialize(target=orgs)
    def an_organisation_in_good_standing(self) -> str:
        return self.create_org("passed")

    @initialize(target=partnerships)
    def a_compliant_partnership(self) -> str:
        return self.create_partnership(self.create_org("passed"), FLAGGED[0], 8, 0.5)

    @initialize(target=applications)
    def an_eligible_application(self) -> Any:
        p = self.create_partnership(self.create_org("passed"), FLAGGED[1], 8, 0.5)
        return self.draft_and_submit(p, 150_000_000, 120)

    @rule(target=orgs, due_diligence=st.sampled_from(["passed"] * 5 + ["pending", "failed"]))
    def create_org(self, due_diligence: str) -> str:
        n = len(self.model.orgs) + 1
        body = {
            "name": f"Trust {n}",
            "org_id": f"GB-CHC-{2000000 + n}",
            "fund_holding": True,
            "due_diligence": due_diligence,
        }
        org = self.call("POST", "/organisations", OPERATOR, body, {201})
        self.model.orgs[org["id"]] = Org(org["id"], due_diligence, auth(Role.APPLICANT, org=org["id"], subject=f"a{n}"))
        return str(org["id"])

    @rule(org=orgs, due_diligence=st.sampled_from(["passed", "pending", "failed"]))
    def change_due_diligence(self, org: str, due_diligence: str) -> None:
        self.call("PATCH", f"/organisations/{org}", OPERATOR, {"due_diligence": due_diligence}, {200})
        self.model.orgs[org].due_diligence = due_diligence

    @rule(target=partnerships, org=orgs, ward=st.sampled_from(WARDS), total=MEMBERS, share=RESIDENT_SHARES)
    def create_partnership(self, org: str, ward: str, total: int, share: float) -> str:
        residents = round(total * share)
        members = [{"name": f"M{i}", "resident": i < residents, "joined_on": JOINED} for i in range(total)]
        body = {"organisation_id": org, "name": "Residents", "neighbourhood_code": ward, "members": members}
        p = self.call("POST", "/partnerships", self.model.orgs[org].headers, body, {201})
        assert p["compliant"] == all(partnership_complies(total, residents).values())
        self.owner[p["id"]] = org
        return str(p["id"])

    @rule(p=partnerships, resident=st.booleans())
    def member_joins(self, p: str, resident: bool) -> None:
        body = {"name": "Newcomer", "resident": resident, "joined_on": JOINED}
        self.changing(p, lambda: self.call("POST", f"/partnerships/{p}/members", self.of(p), body, {200}))

    @rule(p=partnerships, pick=st.integers(0, 50))
    def member_leaves(self, p: str, pick: int) -> None:
        members = self.call("GET", f"/partnerships/{p}", self.of(p), None, {200})["members"]
        if not members:
            return
        member = members[pick % len(members)]
        expect = {200} if member["current"] else {409}
        path = f"/partnerships/{p}/members/{member['id']}/leave"
        self.changing(p, lambda: self.call("POST", path, self.of(p), {"left_on": JOINED}, expect))

    @rule(target=applications, p=partnerships, pence=AMOUNTS, months=MONTHS, themes=THEMES)
    def create_application(self, p: str, pence: int, months: int, themes: list[str]) -> Any:
        body = {
            "partnership_id": p,
            "requested_pence": pence,
            "duration_months": months,
            "themes": themes,
            "summary": "Resident-led plan.",
        }
        app = self.call("POST", "/applications", self.of(p), body, {201})
        assert (app["status"], app["version"]) == ("draft", 0)
        self.owner[app["id"]] = self.owner[p]
        return multiple(app["id"])

    @rule(target=applications, p=partnerships, pence=AMOUNTS, months=MONTHS)
    def draft_and_submit(self, p: str, pence: int, months: int) -> Any:
        body = {
            "partnership_id": p,
            "requested_pence": pence,
            "duration_months": months,
            "themes": ["youth"],
            "summary": "Resident-led plan.",
        }
        app = self.call("POST", "/applications", self.of(p), body, {201})
        self.owner[app["id"]] = self.owner[p]
        self.check_submission(self.call("POST", f"/applications/{app['id']}/submit", self.of(p), None, {200}))
        return multiple(app["id"])

    @rule(app=applications, pence=AMOUNTS, months=MONTHS)
    def patch(self, app: str, pence: int, months: int) -> None:
        expect = {200} if self.status(app) == "draft" else {409}
        self.call(
            "PATCH", f"/applications/{app}", self.of(app), {"requested_pence": pence, "duration_months": months}, expect
        )

    @rule(app=applications)
    def submit(self, app: str) -> None:
        draft = self.status(app) == "draft"
        body = self.call("POST", f"/applications/{app}/submit", self.of(app), None, {200} if draft else {409})
        if draft:
            self.check_submission(body)

    @rule(app=applications, reason=st.sampled_from(["Changed our plans", "Merged with another bid"]))
    def withdraw(self, app: str, reason: str) -> None:
        expect = {409} if self.status(app) == "withdrawn" else {200}
        self.call("POST", f"/applications/{app}/withdraw", self.of(app), {"reason": reason}, expect)

    @rule(app=applications, org=orgs)
    def intrude(self, app: str, org: str) -> None:
        if self.owner[app] == org:
            return
        stranger = self.model.orgs[org].headers
        for method, path, body in (
            ("GET", "", None),
            ("PATCH", "", {"summary": "x"}),
            ("POST", "/submit", None),
            ("POST", "/withdraw", {"reason": "x"}),
        ):
            self.call(method, f"/applications/{app}{path}", stranger, body, {404})

    @rule(app=applications, junk=JUNK)
    def bad_patch(self, app: str, junk: dict[str, Any]) -> None:
        self.call("PATCH", f"/applications/{app}", self.of(app), junk, {200, 409, 422})

    @invariant()
    def every_application_is_in_a_valid_state(self) -> None:
        with bootstrap.sessions()() as session:
            assert_valid(snapshot(session), self.model.frozen)

    @invariant()
    def every_stored_status_move_is_one_the_lifecycle_allows(self) -> None:
        with bootstrap.sessions()() as session:
            assert_lifecycle_kept(snapshot(session).apps, status_moves(session))


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database with the synthetic registry in force, copied for every example."""
    path = tmp_path_factory.mktemp("lifecycle") / "template.db"
    migrate(f"sqlite:///{path}", "applications")
    engine = make_engine(f"sqlite:///{path}")
    with UnitOfWork(session_factory(engine)) as uow:
        load_registry(uow, REGISTRY, actor="test")
        uow.commit()
    engine.dispose()
    return path


def run(template: Path, monkeypatch: pytest.MonkeyPatch, examples: int, steps: int) -> None:
    monkeypatch.setenv("GRANTS_RATE_LIMIT_ENABLED", "false")
    monkeypatch.setenv("APPLICATIONS_DATABASE_URL", "unset")  # restored after the test; each example sets its own
    Lifecycle.template = template
    Lifecycle.seen.clear()
    start = time.perf_counter()
    run_state_machine_as_test(
        Lifecycle,
        settings=settings(
            max_examples=examples,
            stateful_step_count=steps,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    print(f"\n[lifecycle] {examples} examples x up to {steps} steps: {time.perf_counter() - start:.1f} s")
    print("[lifecycle] exercised: " + ", ".join(f"{k} x{v}" for k, v in sorted(Lifecycle.seen.items())))


@pytest.mark.timeout(900)  # only a failure takes long: shrinking it replays many examples
def test_no_sequence_of_api_calls_reaches_an_invalid_state(template: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run(template, monkeypatch, examples=25, steps=30)


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_no_long_sequence_of_api_calls_reaches_an_invalid_state(
    template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(template, monkeypatch, examples=200, steps=50)
