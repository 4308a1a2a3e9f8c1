"""Requests no database can store, or larger than a service takes, are refused before any route runs."""

from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.testclient import TestClient
from pydantic import BaseModel

from grants_shared.db import make_engine
from grants_shared.http.app import create_service_app
from grants_shared.settings import PlatformSettings


class Body(BaseModel):
    """A body a route reads."""

    text: str


def guarded_app(max_body_bytes: int = 100) -> TestClient:
    """An app with a route that reads a query parameter and one that reads a JSON body."""
    router = APIRouter()

    @router.post("/echo")
    def echo(q: str = "") -> dict[str, str]:
        return {"q": q}

    @router.post("/body")
    def body(payload: Body) -> dict[str, str]:
        return {"text": payload.text}

    app = create_service_app(
        service="guard-test",
        settings=PlatformSettings(),
        engine=make_engine("sqlite://"),
        routers=[router],
        description="test",
        max_body_bytes=max_body_bytes,
    )
    return TestClient(app)


def test_a_nul_byte_in_the_query_is_a_422_problem_and_a_large_body_a_413() -> None:
    client = guarded_app()
    refused = client.post("/echo?q=%00")
    assert refused.status_code == 422 and refused.json()["code"] == "control-character"
    assert refused.headers["content-type"] == "application/problem+json"
    assert client.post("/echo?q=ok").json() == {"q": "ok"}
    too_large = client.post("/echo", content=b"x" * 500)
    assert too_large.status_code == 413 and too_large.json()["code"] == "body-too-large"


def test_a_control_character_anywhere_in_the_path_or_query_is_a_422_problem() -> None:
    client = guarded_app()
    for query in ("q=%00", "q=a%1bb", "q=%7F", "q=%C2%9B", "q=a%09b", "q=a%0Ab", "x=1&q=%0d"):
        refused = client.post(f"/echo?{query}")
        assert refused.status_code == 422 and refused.json()["code"] == "control-character", query
    assert client.post("/echo%1b").status_code == 422
    assert client.post("/echo?q=caf%C3%A9+%26+bar").json() == {"q": "café & bar"}


def chunks(total: int, size: int = 40) -> Iterator[bytes]:
    """A JSON body sent in pieces, with no Content-Length (Transfer-Encoding: chunked)."""
    body = b'{"text": "' + b"x" * (total - 12) + b'"}'
    for start in range(0, len(body), size):
        yield body[start : start + size]


def test_an_oversized_chunked_body_is_a_413_problem_like_any_other() -> None:
    client = guarded_app(max_body_bytes=100)
    too_large = client.post("/body", content=chunks(500), headers={"Content-Type": "application/json"})
    assert too_large.request.headers.get("transfer-encoding") == "chunked"
    assert "content-length" not in too_large.request.headers
    assert too_large.status_code == 413, too_large.text
    assert too_large.headers["content-type"] == "application/problem+json"
    assert too_large.json()["code"] == "body-too-large"
    small = client.post("/body", content=chunks(60), headers={"Content-Type": "application/json"})
    assert small.status_code == 200 and small.json() == {"text": "x" * 48}
