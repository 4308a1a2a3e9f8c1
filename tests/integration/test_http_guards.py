"""The edge of every API: requests no database can store, or larger than a service takes, are refused before any
route runs, and every answer carries the security headers."""

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from pydantic import BaseModel

from grants_shared.auth import Role, mint_token
from grants_shared.db import make_engine, migrate
from grants_shared.http.app import create_service_app
from grants_shared.http.headers import API_POLICY, CSP, inline_hashes
from grants_shared.settings import PlatformSettings
from sandbox_bank.app import create_app as create_bank
from sandbox_bank.config import Settings as BankSettings
from tests.support.infra import production_settings

from .test_read_routes import SERVICES


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


# Security headers: on every answer of every API and of the sandbox bank, problems and 500s included.

STAFF_ROLES = [Role.OPERATOR, Role.ASSESSOR, Role.FINANCE_OFFICER, Role.FINANCE_APPROVER]
STAFF = {"Authorization": "Bearer " + mint_token(PlatformSettings(), subject="sam", roles=STAFF_ROLES)}
LISTS = {"applications": "/applications", "allocation": "/rounds", "payments": "/grants", "reporting": "/reports"}
CREATES = {
    "applications": "/organisations",
    "allocation": "/rounds",
    "payments": "/tranches/t-1/hold",
    "reporting": "/reports",
}


def secured(response: Any, where: str) -> None:
    """The headers every answer carries, whatever it is."""
    headers = response.headers
    assert headers.get("x-content-type-options") == "nosniff", where
    assert headers.get("x-frame-options") == "DENY", where
    assert headers.get("referrer-policy") == "no-referrer", where
    assert "frame-ancestors 'none'" in headers.get("content-security-policy", ""), where


@pytest.fixture(params=SERVICES)
def service_api(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """(service name, a client of its real API on a fresh SQLite database)."""
    service = str(request.param)
    url = f"sqlite:///{tmp_path / service}.db"
    migrate(url, service)
    monkeypatch.setenv(f"{service.upper()}_DATABASE_URL", url)
    monkeypatch.setenv("GRANTS_ENV", "test")
    bootstrap = importlib.import_module(f"{service}.bootstrap")
    bootstrap.reset()
    with TestClient(importlib.import_module(f"{service}.api").create_app()) as client:
        yield service, client
    bootstrap.reset()


def test_every_answer_of_every_api_carries_the_security_headers(service_api: Any) -> None:
    service, client = service_api
    answers = {
        "authenticated list": client.get(LISTS[service], headers=STAFF),
        "no token": client.get(LISTS[service]),
        "no such route": client.get("/no-such-route", headers=STAFF),
        "control character": client.get(LISTS[service] + "?x=%1b", headers=STAFF),
        "too large": client.post(CREATES[service], content=b"x" * (256 * 1024 + 1), headers=STAFF),
        "invalid body": client.post(CREATES[service], json={"unknown": 1}, headers=STAFF),
        "health": client.get("/healthz"),
        "metrics": client.get("/metrics/"),
        "openapi": client.get("/openapi.json"),
    }
    assert [a.status_code for a in answers.values()] == [200, 401, 404, 422, 413, 422, 200, 200, 200], service
    for what, answer in answers.items():
        secured(answer, f"{service}: {what}")
    assert answers["authenticated list"].headers["cache-control"] == "no-store"
    assert answers["invalid body"].headers["cache-control"] == "no-store"
    assert answers["no token"].headers["content-security-policy"] == API_POLICY
    assert "strict-transport-security" not in answers["health"].headers  # development and test speak plain HTTP


def test_the_sandbox_bank_carries_the_security_headers_too(tmp_path: Path) -> None:
    key = "a-client-key-for-the-headers-test"
    settings = BankSettings(
        database_url=f"sqlite:///{tmp_path / 'bank.db'}", api_key=key, control_key="a-control-key-for-the-headers-test"
    )
    with TestClient(create_bank(settings)) as bank:
        secured(bank.get("/payments/nope"), "bank: no key")  # the 401 carries them too
        bank.headers["Authorization"] = f"Bearer {key}"
        for path in ("/healthz", "/payments/nope", "/settlements?since=x", "/no-such-route", "/openapi.json"):
            secured(bank.get(path), f"bank {path}")
        secured(bank.post("/payments", content=b"x" * (1024 * 1024)), "bank: too large")
        docs = bank.get("/docs")
        assert docs.status_code == 200 and inline_hashes(docs.text, "script")[0] in docs.headers[CSP]


def test_a_500_carries_the_headers_and_hsts_is_sent_in_production() -> None:
    router = APIRouter()

    @router.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    settings = production_settings()
    app = create_service_app(
        service="headers-test", settings=settings, engine=make_engine("sqlite://"), routers=[router], description=""
    )
    client = TestClient(app, raise_server_exceptions=False)
    failed = client.get("/boom", headers=STAFF)
    assert failed.status_code == 500 and failed.json()["code"] == "internal-error"
    secured(failed, "500")
    assert failed.headers["strict-transport-security"] == "max-age=31536000"
    assert failed.headers["cache-control"] == "no-store"
