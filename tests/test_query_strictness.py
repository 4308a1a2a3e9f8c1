"""Which query parameters a route takes once: lists (also optional or annotated) may repeat, the rest may not."""

import inspect
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query
from fastapi.testclient import TestClient

from grants_shared.http.problems import install_problem_handlers
from grants_shared.http.query import StrictQuery, strict_query, takes_many


def test_lists_tuples_and_sets_take_many_also_when_optional_or_annotated() -> None:
    assert takes_many(list[str]) and takes_many(tuple[int, ...]) and takes_many(set[str]) and takes_many(list)
    assert takes_many(list[str] | None) and takes_many(Annotated[list[str] | None, Query()])


def test_scalars_take_one_also_when_optional_or_annotated() -> None:
    assert not takes_many(str) and not takes_many(int | None)
    assert not takes_many(Annotated[str | None, Query(max_length=100)]) and not takes_many(None)


def strict_app(calls: list[str]) -> FastAPI:
    """An app with one async route read strictly, which records each time it runs."""
    app = FastAPI()
    install_problem_handlers(app)
    router = APIRouter(dependencies=StrictQuery)

    @router.get("/things")
    async def things(region: str | None = None, tag: Annotated[list[str] | None, Query()] = None) -> dict[str, object]:
        calls.append("ran")
        return {"region": region, "tag": tag}

    app.include_router(router)
    return app


def test_strict_query_is_async_so_it_never_takes_a_worker_thread() -> None:
    assert inspect.iscoroutinefunction(strict_query)


def test_an_async_route_refuses_an_unknown_or_repeated_parameter_and_keeps_the_rest() -> None:
    calls: list[str] = []
    with TestClient(strict_app(calls)) as client:
        unknown = client.get("/things?regoin=north")
        twice = client.get("/things?region=a&region=b")
        assert unknown.status_code == 422 and unknown.headers["content-type"].startswith("application/problem+json")
        assert unknown.json()["errors"] == [
            {"loc": ["query", "regoin"], "msg": "unknown query parameter", "type": "extra_forbidden"}
        ]
        assert twice.status_code == 422
        repeated = [{"loc": ["query", "region"], "msg": "given more than once", "type": "repeated"}]
        assert twice.json()["errors"] == repeated
        assert calls == []  # refused before the route ran
        assert client.get("/things").json() == {"region": None, "tag": None}
        assert client.get("/things?region=a&tag=x&tag=y").json() == {"region": "a", "tag": ["x", "y"]}
        # asked again (the names are remembered per route), a refusal is the same
        assert client.get("/things?regoin=north").json()["errors"] == unknown.json()["errors"]
    assert len(calls) == 2
