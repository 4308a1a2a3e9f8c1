"""Figures no one can misread: a grant read from reporting names its ward, local authority and region beside their
codes (from the assessment's registry snapshot), and says nothing rather than guess when no event named them."""

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.events.applications import LsoaRef

from ..conftest import OPERATOR
from ..story import Story, deliver
from .fund import Ward, WardStory

NORTON_SOUTH = Ward(
    "E05001595",
    "Norton South",
    "E06000006",
    "Halton",
    "E12000002",
    "North West",
    (LsoaRef(code="E01012345", name="x"),),
)


def test_a_grant_shows_names_beside_codes(client: TestClient, sessions: sessionmaker[Session]) -> None:
    story = WardStory(n=7, ward=NORTON_SOUTH, org_name="Norton Trust", org_id="GB-CHC-1234567")
    for envelope in [story.round_opened(), *story.up_to_award()]:
        deliver(sessions, envelope)
    grant = client.get(f"/grants/{story.grant_id}", headers=OPERATOR).json()
    named = {k: grant[k] for k in ("neighbourhood_code", "neighbourhood_name", "local_authority_code",
                                   "local_authority_name", "region_code", "region_name")}  # fmt: skip
    assert named == {
        "neighbourhood_code": "E05001595",
        "neighbourhood_name": "Norton South",
        "local_authority_code": "E06000006",
        "local_authority_name": "Halton",
        "region_code": "E12000002",
        "region_name": "North West",
    }


def test_a_grant_whose_assessment_never_arrived_has_codes_only(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    story = Story(n=8)
    for envelope in [story.round_opened(), story.awarded()]:
        deliver(sessions, envelope)
    grant = client.get(f"/grants/{story.grant_id}", headers=OPERATOR).json()
    assert (grant["region_code"], grant["region_name"], grant["local_authority_name"]) == ("E12000004", None, None)
