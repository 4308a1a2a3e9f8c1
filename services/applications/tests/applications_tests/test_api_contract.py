"""The HTTP contract other services and the end-to-end test rely on: routes, and the AsyncAPI of the worker."""

from fastapi.testclient import TestClient

from applications import worker

ROUTES = {
    ("GET", "/neighbourhoods"),
    ("GET", "/neighbourhoods/{code}"),
    ("GET", "/registry/vintages"),
    ("POST", "/organisations"),
    ("GET", "/organisations/{organisation_id}"),
    ("POST", "/partnerships"),
    ("GET", "/partnerships/{partnership_id}"),
    ("POST", "/partnerships/{partnership_id}/members"),
    ("POST", "/partnerships/{partnership_id}/members/{member_id}/leave"),
    ("POST", "/applications"),
    ("GET", "/applications"),
    ("GET", "/applications/{application_id}"),
    ("PATCH", "/applications/{application_id}"),
    ("POST", "/applications/{application_id}/submit"),
    ("POST", "/applications/{application_id}/withdraw"),
    ("GET", "/audit"),
}


def test_the_openapi_document_has_every_route_of_the_contract(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    offered = {(method.upper(), path) for path, operations in paths.items() for method in operations}
    assert ROUTES <= offered


def test_the_worker_documents_what_it_consumes_and_publishes(migrated: str) -> None:
    channels = worker.create_app().schema.to_specification().to_jsonable()["channels"]
    names = " ".join(channels)
    for stream in (
        "allocation-decided",
        "application-submitted",
        "application-assessed",
        "application-withdrawn",
        "partnership-changed",
        "neighbourhood-registry-updated",
    ):
        assert stream in names, names
