"""The AsyncAPI documents in docs/asyncapi are what the code generates today (run `make docs` after a change)."""

from pathlib import Path

import yaml

from grants_cli.asyncapi import generate
from grants_cli.system import SERVICES

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "asyncapi"


def test_committed_asyncapi_documents_match_the_code(tmp_path: Path) -> None:
    generate(tmp_path)
    for svc in SERVICES:
        fresh = yaml.safe_load((tmp_path / f"{svc}.yaml").read_text())
        committed = yaml.safe_load((COMMITTED / f"{svc}.yaml").read_text())
        assert fresh == committed, f"docs/asyncapi/{svc}.yaml is stale: run `make docs`"
        assert fresh["channels"], f"{svc} documents no channel"
