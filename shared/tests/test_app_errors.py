"""Application errors raised below the routes reach the client as RFC 9457 problems with their stable code."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from grants_shared.errors import AppError, Conflict, Forbidden, Invalid, NotFound
from grants_shared.http.problems import install_problem_handlers


class TrancheOnHold(Conflict):
    """A kind of conflict of one service, with its own default code."""

    default_code = "tranche-on-hold"


def _client_raising(error: AppError) -> TestClient:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/")
    def _route() -> None:
        raise error

    return TestClient(app)


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (NotFound("no grant g-1", code="grant-not-found"), 404, "grant-not-found"),
        (Conflict("already withdrawn"), 409, "conflict"),
        (TrancheOnHold("tranche t-1 is held"), 409, "tranche-on-hold"),
        (Invalid("ends before it starts", code="bad-dates", field="ends_on"), 422, "bad-dates"),
        (Forbidden("only a fund officer may release"), 403, "forbidden"),
        (AppError("a bare refusal"), 422, "invalid"),
    ],
)
def test_an_application_error_is_a_problem_with_its_status_and_code(error: AppError, status: int, code: str) -> None:
    response = _client_raising(error).get("/")

    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == code
    assert body["type"].endswith("/" + code)
    assert body["status"] == status
    assert body["detail"] == error.detail


def test_extra_fields_join_the_problem_body() -> None:
    body = _client_raising(Invalid("ends before it starts", code="bad-dates", field="ends_on")).get("/").json()

    assert body["field"] == "ends_on"
