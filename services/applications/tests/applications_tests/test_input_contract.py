"""What the OpenAPI document states about inputs is what the API enforces (found by fuzzing the document)."""

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from applications.domain.organisation_ids import SCHEMA_PATTERN

from .conftest import Applicant
from .kit import OPERATOR, application_body, counts, organisation_body


def test_an_unknown_query_parameter_is_refused_not_ignored(client: TestClient) -> None:
    everything = client.get("/neighbourhoods", headers=OPERATOR).json()["total"]
    typo = client.get("/neighbourhoods?left_behnd=true", headers=OPERATOR)
    assert typo.status_code == 422 and typo.json()["code"] == "validation-error"
    assert [(e["loc"], e["type"]) for e in typo.json()["errors"]] == [(["query", "left_behnd"], "extra_forbidden")]
    assert client.get("/neighbourhoods?left_behind=true", headers=OPERATOR).json()["total"] < everything
    assert client.get("/registry/vintages?x=1", headers=OPERATOR).status_code == 422


@pytest.mark.parametrize("body", [{}, {"summary": None}, {"themes": ["youth", "youth"]}, {"summary": "   "}])
def test_a_patch_changes_something_and_clears_nothing(
    client: TestClient, applicant: Applicant, sessions: Any, body: dict[str, Any]
) -> None:
    app = client.post("/applications", json=application_body(applicant.partnership["id"]), headers=applicant.headers)
    before = counts(sessions)
    response = client.patch(f"/applications/{app.json()['id']}", json=body, headers=applicant.headers)
    assert response.status_code == 422 and counts(sessions) == before


def test_text_that_no_database_can_store_is_a_422_not_a_500(client: TestClient, sessions: Any) -> None:
    before = counts(sessions)
    for name in ('"Lone \\ud800 surrogate"', '"Bell \\u0007"'):
        body = '{"name": ' + name + ', "org_id": "GB-CHC-1234567", "fund_holding": true}'
        headers = {**OPERATOR, "content-type": "application/json"}
        assert client.post("/organisations", content=body, headers=headers).status_code == 422
    assert counts(sessions) == before


def test_the_documented_org_id_pattern_is_what_the_api_accepts(client: TestClient) -> None:
    documented = client.get("/openapi.json").json()["components"]["schemas"]["OrganisationCreate"]["properties"]
    assert documented["org_id"]["pattern"] == SCHEMA_PATTERN
    for n, (org_id, accepted) in enumerate(
        [(" gb-chc-1234567 ", True), ("GB-COH-sc123456", True), ("GB-CHC-١٢٣٤٥٦٧", False), ("GB-LAE-bır", False)]
    ):
        assert bool(re.match(SCHEMA_PATTERN, org_id)) is accepted
        body = {**organisation_body(n + 10), "org_id": org_id}
        assert client.post("/organisations", json=body, headers=OPERATOR).status_code == (201 if accepted else 422)


def test_a_filter_given_twice_is_refused_not_reduced_to_the_last(client: TestClient) -> None:
    doubled = client.get("/neighbourhoods?region=E12000001&region=E12000002", headers=OPERATOR)
    assert doubled.status_code == 422 and doubled.json()["code"] == "validation-error"
    assert [(e["loc"], e["type"]) for e in doubled.json()["errors"]] == [(["query", "region"], "repeated")]
    assert client.get("/neighbourhoods?region=E12000001", headers=OPERATOR).status_code == 200
