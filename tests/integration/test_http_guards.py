"""Requests no database can store are refused before any route runs: NUL bytes in the path or query."""

from fastapi import APIRouter
from fastapi.testclient import TestClient

from grants_shared.db import make_engine
from grants_shared.http.app import create_service_app
from grants_shared.settings import PlatformSettings


def test_a_nul_byte_in_the_query_is_a_422_problem_and_a_large_body_a_413() -> None:
    router = APIRouter()

    @router.post("/echo")
    def echo(q: str = "") -> dict[str, str]:
        return {"q": q}

    app = create_service_app(
        service="guard-test",
        settings=PlatformSettings(),
        engine=make_engine("sqlite://"),
        routers=[router],
        description="test",
        max_body_bytes=100,
    )
    client = TestClient(app)
    refused = client.post("/echo?q=%00")
    assert refused.status_code == 422 and refused.json()["code"] == "nul-byte"
    assert refused.headers["content-type"] == "application/problem+json"
    assert client.post("/echo?q=ok").json() == {"q": "ok"}
    too_large = client.post("/echo", content=b"x" * 500)
    assert too_large.status_code == 413 and too_large.json()["code"] == "body-too-large"
