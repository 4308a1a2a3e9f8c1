"""`python -m grants_cli.openapi_docs DIR`: write every service's OpenAPI document as `<service>.json`.

The committed documents in docs/openapi are the clients' contract: regenerating refuses a breaking change
(grants_cli.openapi_diff) unless the service's `info.version` moved to a new major version, so a breaking change
cannot slip in by running `make docs`. `--accept-breaking` is for the integrator's deliberate, reviewed re-baseline.
"""

import importlib
import json
import os
import secrets
import sys
import tempfile
from pathlib import Path
from typing import Any

from grants_cli.openapi_diff import Break, refused

# Each service's app factory (the sandbox bank is the payment provider's stand-in, documented all the same).
FACTORIES = {
    "applications": "applications.api:create_app",
    "allocation": "allocation.api:create_app",
    "payments": "payments.api:create_app",
    "reporting": "reporting.api:create_app",
    "sandbox_bank": "sandbox_bank.app:create_app",
}


def document(service: str) -> dict[str, Any]:
    """The service's OpenAPI document as its app generates it."""
    module, factory = FACTORIES[service].split(":")
    build = getattr(importlib.import_module(module), factory)
    app = build(_bank_settings()) if service == "sandbox_bank" else build()
    built: dict[str, Any] = app.openapi()
    return built


def _bank_settings() -> Any:
    """The bank's settings with throwaway keys: its document shows neither, but the app will not build without."""
    from sandbox_bank.config import Settings

    scratch = Path(tempfile.mkdtemp(prefix="openapi-bank-"))
    return Settings(
        api_key=secrets.token_urlsafe(32),
        control_key=secrets.token_urlsafe(32),
        database_url=f"sqlite:///{scratch / 'bank.db'}",
    )


def text_of(built: dict[str, Any]) -> str:
    """The document as committed: sorted keys, two-space indent, a final newline (stable diffs)."""
    return json.dumps(built, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def generate(folder: Path, *, accept_breaking: bool = False) -> tuple[list[Path], dict[str, list[Break]]]:
    """Write each service's document; a service with a refused breaking change keeps its old one (returned)."""
    folder.mkdir(parents=True, exist_ok=True)
    written, refusals = [], {}
    for service in FACTORIES:
        out = folder / f"{service}.json"
        fresh = document(service)
        breaks = refused(json.loads(out.read_text()), fresh) if out.exists() else []
        if breaks and not accept_breaking:
            refusals[service] = breaks
            continue
        out.write_text(text_of(fresh))
        written.append(out)
    return written, refusals


def main(argv: list[str]) -> int:
    """Generate into the folder given (default docs/openapi); exit 1 naming each refused breaking change."""
    accept = "--accept-breaking" in argv
    folder = Path(next((a for a in argv if not a.startswith("--")), "docs/openapi"))
    os.environ.setdefault("GRANTS_VAR_DIR", tempfile.mkdtemp(prefix="openapi-"))  # building an app touches no var/
    written, refusals = generate(folder, accept_breaking=accept)
    for path in written:
        print(path)
    for service, breaks in refusals.items():
        print(f"{service}: breaking changes, document not rewritten; move info.version to a new major", file=sys.stderr)
        for item in breaks:
            print(f"  {item}", file=sys.stderr)
    return 1 if refusals else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
