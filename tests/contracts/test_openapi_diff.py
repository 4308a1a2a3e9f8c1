"""The OpenAPI comparison catches each kind of breaking change, lets additive ones pass, and yields to a major bump."""

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from grants_cli.openapi_diff import breaking_changes, major, refused

REPORTING = Path(__file__).resolve().parents[2] / "docs" / "openapi" / "reporting.json"


def before() -> dict[str, Any]:
    """A small service: a grant read with a status enum, and a report post with a query parameter."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1.2.0"},
        "paths": {
            "/grants/{grant_id}": {
                "get": {
                    "parameters": [
                        {"name": "grant_id", "in": "path", "required": True, "schema": {"type": "string"}},
                        {"name": "as_of", "in": "query", "required": False, "schema": {"type": "string"}},
                    ],
                    "responses": {
                        "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Grant"}}}}
                    },
                }
            },
            "/reports": {
                "post": {
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ReportIn"}}},
                    },
                    "responses": {"201": {"content": {"application/json": {"schema": {"type": "object"}}}}},
                },
                "get": {"responses": {"200": {"content": {"application/json": {"schema": {"type": "array"}}}}}},
            },
        },
        "components": {
            "schemas": {
                "Grant": {
                    "type": "object",
                    "required": ["grant_id", "paid_pence"],
                    "properties": {
                        "grant_id": {"type": "string"},
                        "paid_pence": {"type": "integer"},
                        "status": {"type": "string", "enum": ["awarded", "completed", "closed"]},
                        "tranches": {"type": "array", "items": {"$ref": "#/components/schemas/Tranche"}},
                        "completed_at": {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]},
                    },
                },
                "Tranche": {
                    "type": "object",
                    "properties": {"number": {"type": "integer"}, "amount_pence": {"type": "integer"}},
                },
                "ReportIn": {
                    "type": "object",
                    "required": ["grant_id"],
                    "properties": {
                        "grant_id": {"type": "string"},
                        "period": {"type": "number"},
                        "narrative": {"type": "string"},
                    },
                },
            }
        },
    }


def changed(edit: Any) -> dict[str, Any]:
    document = copy.deepcopy(before())
    edit(document)
    return document


def schemas(document: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = document["components"]["schemas"]
    return found


BREAKING = {
    "removed route": (lambda d: d["paths"].pop("/grants/{grant_id}"), "removed-operation", "GET /grants/{grant_id}"),
    "removed method": (lambda d: d["paths"]["/reports"].pop("get"), "removed-operation", "GET /reports"),
    "removed response field": (
        lambda d: schemas(d)["Grant"]["properties"].pop("paid_pence"),
        "removed-response-field",
        "GET /grants/{grant_id} 200.paid_pence",
    ),
    "removed nested response field": (
        lambda d: schemas(d)["Tranche"]["properties"].pop("amount_pence"),
        "removed-response-field",
        "GET /grants/{grant_id} 200.tranches[].amount_pence",
    ),
    "removed enum value": (
        lambda d: schemas(d)["Grant"]["properties"]["status"]["enum"].remove("closed"),
        "removed-enum-value",
        "GET /grants/{grant_id} 200.status",
    ),
    "newly required query parameter": (
        lambda d: d["paths"]["/grants/{grant_id}"]["get"]["parameters"][1].update(required=True),
        "new-required-input",
        "GET /grants/{grant_id} query parameter as_of",
    ),
    "new required parameter": (
        lambda d: d["paths"]["/reports"]["get"].update(
            parameters=[{"name": "round", "in": "query", "required": True, "schema": {"type": "string"}}]
        ),
        "new-required-input",
        "GET /reports query parameter round",
    ),
    "newly required body field": (
        lambda d: schemas(d)["ReportIn"]["required"].append("narrative"),
        "new-required-input",
        "POST /reports request body.narrative",
    ),
    "narrowed request type": (
        lambda d: schemas(d)["ReportIn"]["properties"]["period"].update(type="integer"),
        "narrowed-type",
        "POST /reports request body.period",
    ),
    "widened response type": (
        lambda d: schemas(d)["Grant"]["properties"]["paid_pence"].update(type="number"),
        "narrowed-type",
        "GET /grants/{grant_id} 200.paid_pence",
    ),
    "changed response type": (
        lambda d: schemas(d)["Grant"]["properties"]["grant_id"].update(type="integer"),
        "narrowed-type",
        "GET /grants/{grant_id} 200.grant_id",
    ),
    "response field made nullable": (
        lambda d: schemas(d)["Grant"]["properties"].update(
            paid_pence={"anyOf": [{"type": "integer"}, {"type": "null"}]}
        ),
        "narrowed-type",
        "GET /grants/{grant_id} 200.paid_pence",
    ),
}


@pytest.mark.parametrize("case", BREAKING)
def test_each_kind_of_breaking_change_is_caught_where_it_is(case: str) -> None:
    edit, kind, where = BREAKING[case]
    found = breaking_changes(before(), changed(edit))
    assert [(b.kind, b.where) for b in found] == [(kind, where)], found


ADDITIVE = {
    "new route": lambda d: d["paths"].update({"/health": {"get": {"responses": {}}}}),
    "new method": lambda d: d["paths"]["/grants/{grant_id}"].update(delete={"responses": {}}),
    "new optional parameter": lambda d: d["paths"]["/reports"]["get"].update(
        parameters=[{"name": "limit", "in": "query", "required": False, "schema": {"type": "integer"}}]
    ),
    "new response field": lambda d: schemas(d)["Grant"]["properties"].update(paid_net_pence={"type": "integer"}),
    "new enum value": lambda d: schemas(d)["Grant"]["properties"]["status"]["enum"].append("suspended"),
    "new optional body field": lambda d: schemas(d)["ReportIn"]["properties"].update(extra={"type": "string"}),
    "widened request type": lambda d: schemas(d)["ReportIn"]["properties"]["grant_id"].update(
        type=["string", "integer"]
    ),
    "body no longer required": lambda d: d["paths"]["/reports"]["post"]["requestBody"].update(required=False),
    "descriptions": lambda d: schemas(d)["Grant"]["properties"]["paid_pence"].update(description="net of returns"),
}


@pytest.mark.parametrize("case", ADDITIVE)
def test_additive_changes_pass(case: str) -> None:
    assert breaking_changes(before(), changed(ADDITIVE[case])) == []


def test_a_new_major_version_allows_breaking_changes_and_a_minor_one_does_not() -> None:
    def remove(d: dict[str, Any]) -> None:
        d["paths"].pop("/reports")

    minor = changed(lambda d: (remove(d), d["info"].update(version="1.3.0")))
    new_major = changed(lambda d: (remove(d), d["info"].update(version="2.0.0")))
    assert [b.kind for b in refused(before(), minor)] == ["removed-operation", "removed-operation"]
    assert refused(before(), new_major) == [] and major(new_major) == 2


def test_a_field_removed_from_the_real_reporting_document_is_caught() -> None:
    document = json.loads(REPORTING.read_text())
    broken = copy.deepcopy(document)
    broken["components"]["schemas"]["GrantOut"]["properties"].pop("returned_pence")
    found = [str(b) for b in breaking_changes(document, broken)]
    assert (
        "removed-response-field at GET /grants/{grant_id} 200.returned_pence: clients reading it find nothing" in found
    )
