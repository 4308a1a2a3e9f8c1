"""Load the release policy document: the file the configuration names, else the fund's default beside this module."""

import json
from functools import cache
from pathlib import Path

from payments.domain.release_rules import PolicyError, ReleasePolicy

DEFAULT_POLICY = Path(__file__).with_name("release_policy.json")


@cache
def load_policy(path: str | None = None) -> ReleasePolicy:
    """The policy in `path` (or the default document), read once; `PolicyError` naming the file when it is bad."""
    source = Path(path) if path else DEFAULT_POLICY
    try:
        document = json.loads(source.read_text(encoding="utf-8"))
        return ReleasePolicy.from_document(document)
    except (OSError, ValueError) as error:
        raise PolicyError(f"release policy {source}: {error}") from error
