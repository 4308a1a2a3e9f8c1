"""Identifier helpers: random UUIDs for new things, name-based UUIDs where a retry must land on the same id."""

import uuid

PLATFORM_NAMESPACE = uuid.UUID("6f1c2b1e-4d7a-4f43-9a57-2f8b5e1c0d11")


def new_id() -> str:
    """A new random identifier (UUID4 text)."""
    return str(uuid.uuid4())


def stable_id(*parts: str) -> str:
    """A deterministic identifier from its parts, so the same input always yields the same id."""
    return str(uuid.uuid5(PLATFORM_NAMESPACE, "/".join(parts)))
