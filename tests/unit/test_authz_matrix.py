"""The matrix machinery itself: a route without rows and a row without a route are both found."""

from fastapi import APIRouter, FastAPI

from tests.support.authz_matrix import cells, template, uncovered

MATRIX = """
method route                   whose app  ass  op   int  fo   fa   none exp  aud
GET    /things/{thing}         own   200  200  200  403  403  403  401  401  401
GET    /things/{thing}         other 404  200  200  403  403  403  401  401  401
POST   /gone?x={thing}         own   403  403  200  403  403  403  401  401  401
"""


def app() -> FastAPI:
    """An app with a route in a router included into it, and one on the app."""
    router, made = APIRouter(), FastAPI()

    @router.get("/things/{thing_id}")
    def thing(thing_id: str) -> str:
        return thing_id

    @made.post("/things/{thing_id}/polish")
    def polish(thing_id: str) -> str:
        return thing_id

    made.include_router(router)
    return made


def test_templates_ignore_names_and_query_strings() -> None:
    assert template("/grants/{grant}/variations/{var}/approve?x={y}") == "/grants/{}/variations/{}/approve"


def test_a_route_without_rows_and_a_row_without_a_route_are_named() -> None:
    assert len(cells(MATRIX)) == 27
    assert uncovered(app(), cells(MATRIX)) == [
        "no own row for POST /things/{}/polish",
        "no other row for POST /things/{}/polish",
        "a row for POST /gone, which no route answers",
    ]
