"""Every route of the bank takes a credential: the client's API key, or for the controls a separate control key."""

from __future__ import annotations

import httpx
import pytest
from pydantic import ValidationError

from sandbox_bank.config import Settings

from .testkit import Bank, body, new_key


def operations(http: httpx.Client) -> list[tuple[str, str]]:
    """Every (method, path) of the bank's OpenAPI document, path parameters filled in."""
    paths = http.get("/openapi.json").json()["paths"]
    found = [(method.upper(), path.replace("{payment_id}", "pay_x")) for path, ops in paths.items() for method in ops]
    assert len(found) >= 12 and ("PUT", "/control/clock") in found and ("GET", "/settlements") in found
    return found


def assert_refused(response: httpx.Response, error: str | None = None) -> None:
    """A 401 problem with a Bearer challenge (naming the error when a wrong token was sent)."""
    assert response.status_code == 401, (response.request.method, response.request.url, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "unauthenticated"
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="sandbox-bank"')
    assert (f'error="{error}"' in challenge) if error else ("error=" not in challenge)


def test_no_route_answers_without_a_credential(bank: Bank, http: httpx.Client) -> None:
    before = bank.count_payments()
    with httpx.Client(base_url=bank.base_url, timeout=10) as stranger:
        for method, path in [*operations(http), ("GET", "/openapi.json"), ("GET", "/docs"), ("GET", "/nowhere")]:
            assert_refused(stranger.request(method, path, json=body(), headers={"Idempotency-Key": new_key()}))
            wrong = {"Authorization": "Bearer not-the-key", "Idempotency-Key": new_key()}
            assert_refused(stranger.request(method, path, json=body(), headers=wrong), "invalid_token")
            basic = {"Authorization": f"Basic {bank.api_key}"}
            assert_refused(stranger.request(method, path, headers=basic))
    assert bank.count_payments() == before  # nothing was created by any of them


def test_the_api_key_opens_no_control_and_the_control_key_no_payment(bank: Bank, http: httpx.Client) -> None:
    api = {"Authorization": f"Bearer {bank.api_key}"}
    control = {"Authorization": f"Bearer {bank.control_key}"}
    with httpx.Client(base_url=bank.base_url, timeout=10) as raw:
        for method, path in operations(http):
            if path.startswith("/control"):
                assert_refused(
                    raw.request(method, path, json={"now": "2199-01-01T00:00:00Z"}, headers=api), "invalid_token"
                )
            elif path not in ("/healthz", "/readyz"):
                headers = {**control, "Idempotency-Key": new_key()}
                assert_refused(raw.request(method, path, json=body(), headers=headers), "invalid_token")
        for headers in (api, control):  # the probes take either key
            assert raw.get("/healthz", headers=headers).status_code == 200
            assert raw.get("/readyz", headers=headers).status_code == 200
        assert raw.get("/control/clock", headers=control).status_code == 200
        assert raw.get("/settlements", headers=api).status_code == 200


def test_the_openapi_document_names_the_credentials(http: httpx.Client) -> None:
    document = http.get("/openapi.json").json()
    assert set(document["components"]["securitySchemes"]) == {"apiKey", "controlKey"}
    assert document["paths"]["/payments"]["post"]["security"] == [{"apiKey": []}]
    assert document["paths"]["/control/clock"]["put"]["security"] == [{"controlKey": []}]


@pytest.mark.parametrize(
    ("api_key", "control_key"),
    [(None, "c" * 32), ("a" * 32, None), ("a" * 8, "c" * 32), ("a" * 32, "a" * 32)],
)
def test_the_bank_does_not_start_without_two_distinct_long_keys(
    monkeypatch: pytest.MonkeyPatch, api_key: str | None, control_key: str | None
) -> None:
    for name, value in (("SANDBOX_BANK_API_KEY", api_key), ("SANDBOX_BANK_CONTROL_KEY", control_key)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        Settings()  # type: ignore[call-arg]
