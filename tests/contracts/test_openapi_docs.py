"""The OpenAPI documents in docs/openapi are what the services generate today, with no unannounced breaking change.

Run `make docs` after changing a route. A breaking change (grants_cli.openapi_diff) against the committed document
fails here, and `make docs` refuses to write it, until the service's info.version moves to a new major version.
"""

import json
from pathlib import Path

import pytest

from grants_cli.openapi_diff import breaking_changes, refused
from grants_cli.openapi_docs import FACTORIES, document, text_of

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi"


@pytest.fixture(scope="module")
def fresh() -> dict[str, dict]:
    return {service: document(service) for service in FACTORIES}


def committed(service: str) -> dict:
    return json.loads((COMMITTED / f"{service}.json").read_text())


@pytest.mark.parametrize("service", FACTORIES)
def test_no_breaking_change_against_the_committed_document_without_a_new_major_version(
    service: str, fresh: dict[str, dict]
) -> None:
    breaks = refused(committed(service), fresh[service])
    assert not breaks, f"{service}: breaking changes need a new major info.version:\n" + "\n".join(map(str, breaks))


@pytest.mark.parametrize("service", FACTORIES)
def test_the_committed_document_is_what_the_code_generates(service: str, fresh: dict[str, dict]) -> None:
    on_disk = (COMMITTED / f"{service}.json").read_text()
    assert on_disk == text_of(fresh[service]), f"docs/openapi/{service}.json is stale: run `make docs`"


@pytest.mark.parametrize("service", FACTORIES)
def test_a_document_has_no_breaking_change_against_itself(service: str) -> None:
    document = committed(service)
    assert document["paths"] and breaking_changes(document, document) == []
