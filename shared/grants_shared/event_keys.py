"""Where the event keys come from: GRANTS_EVENT_KEYS, or in development a keyring generated once under var/."""

import contextlib
import json
import os
import secrets
import tempfile
from pathlib import Path

from grants_shared.events import ALL_EVENTS
from grants_shared.settings import PlatformSettings
from grants_shared.signing import Keyring

DEV_KEYS_FILE = "event-keys.json"
PRODUCERS = tuple(sorted({event.producer for event in ALL_EVENTS}))


def keyring_of(settings: PlatformSettings) -> Keyring:
    """The configured keyring; outside production, the one under var/ when none is configured."""
    configured = {p: {k: s.get_secret_value() for k, s in keys.items()} for p, keys in settings.event_keys.items()}
    if not configured:
        if settings.env == "production":
            raise ValueError("GRANTS_EVENT_KEYS must be set in production (docs/delivery.md: signed events)")
        configured = dev_keys(settings.var_dir)
    return Keyring.of(configured, settings.event_signing_key_id)


def new_keys(key_id: str = "k1") -> dict[str, dict[str, str]]:
    """A fresh keyring: one random 256-bit key per producer (`python -m grants_shared.event_keys` prints one)."""
    return {producer: {key_id: secrets.token_urlsafe(32)} for producer in PRODUCERS}


def dev_keys(var_dir: Path) -> dict[str, dict[str, str]]:
    """The development keyring in var/event-keys.json, generated on first use and then shared by every process."""
    path = var_dir / DEV_KEYS_FILE
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        fd, scratch = tempfile.mkstemp(dir=var_dir, prefix=".event-keys-")  # mode 0600
        with os.fdopen(fd, "w") as out:
            json.dump(new_keys("dev-1"), out)
        with contextlib.suppress(FileExistsError):  # another process got there first: its keys win
            os.link(scratch, path)
        os.unlink(scratch)
    keys: dict[str, dict[str, str]] = json.loads(path.read_text())
    return keys


if __name__ == "__main__":
    print(json.dumps(new_keys()))
