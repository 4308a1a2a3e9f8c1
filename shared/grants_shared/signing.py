"""Signed events: a producer signs each entry it publishes, a consumer applies only what the stream's owner signed.

HMAC-SHA256 with a key per producer. The key id travels with the message, so keys rotate with overlap: a consumer
accepts any key listed for the producer, the producer signs with its current one. The MAC covers the scheme, the
producer, the key id, the stream and the exact envelope text sent, so a signed entry copied onto another stream, or
with any byte of its envelope changed, is refused. The signature travels in the frame's headers (docs/delivery.md).
"""

import base64
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field

SCHEME = "grants-event-v1"
SIGNED_BY, KEY_ID, SIGNATURE = "signed_by", "key_id", "signature"
MIN_SECRET_CHARS = 32


class Refused(ValueError):
    """A message whose signature or producer does not hold: never applied, dead-lettered with `code` at once."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"refused ({code}): {detail}")
        self.code = code


def _current(listed: Mapping[str, str], chosen: str | None) -> str:
    """The key id a producer signs with: the chosen one if it has it, else its last listed."""
    return chosen if chosen is not None and chosen in listed else list(listed)[-1]


def mac(secret: bytes, *, producer: str, key_id: str, stream: str, body: str) -> str:
    """The signature of `body` (the envelope text as sent) by `producer` with `key_id` on `stream`, base64url."""
    message = f"{SCHEME}\n{producer}\n{key_id}\n{stream}\n".encode() + body.encode("utf-8", "surrogatepass")
    digest = hmac.digest(secret, message, "sha256")  # one-shot in C: no HMAC object per entry
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


@dataclass(frozen=True)
class Signer:
    """A producer's current key: signs what its relay publishes."""

    producer: str
    key_id: str
    secret: bytes = field(repr=False)

    def headers(self, stream: str, body: str) -> dict[str, str]:
        """The headers that sign `body` for `stream`."""
        signature = mac(self.secret, producer=self.producer, key_id=self.key_id, stream=stream, body=body)
        return {SIGNED_BY: self.producer, KEY_ID: self.key_id, SIGNATURE: signature}


@dataclass(frozen=True)
class Keyring:
    """Every producer's accepted keys (producer -> key id -> secret), and the key id each signs with now."""

    keys: Mapping[str, Mapping[str, bytes]] = field(repr=False)
    current: Mapping[str, str]

    @classmethod
    def of(cls, keys: Mapping[str, Mapping[str, str]], signing_key_id: str | None = None) -> "Keyring":
        """A keyring from configuration; each producer signs with `signing_key_id` if it has it, else its last key."""
        for producer, listed in keys.items():
            if not listed:
                raise ValueError(f"event keys: {producer} lists no key")
            short = [key_id for key_id, secret in listed.items() if len(secret) < MIN_SECRET_CHARS]
            if short:
                raise ValueError(
                    f"event keys: {producer}'s keys {short} are shorter than {MIN_SECRET_CHARS} characters"
                )
        current = {p: _current(listed, signing_key_id) for p, listed in keys.items()}
        encoded = {p: {k: s.encode() for k, s in listed.items()} for p, listed in keys.items()}
        return cls(encoded, current)

    def signer(self, producer: str) -> Signer:
        """The signer of `producer` (ValueError when the keyring has no key for it)."""
        if producer not in self.keys:
            raise ValueError(f"event keys: no signing key for {producer} (GRANTS_EVENT_KEYS)")
        key_id = self.current[producer]
        return Signer(producer, key_id, self.keys[producer][key_id])

    def verify(self, *, stream: str, owner: str, producer: str, body: str, headers: Mapping[str, str]) -> None:
        """Raise Refused unless `body` on `stream` is signed by `owner`, the stream's producer, with a listed key.

        `producer` is what the envelope says; it must be the signer too.
        """
        signed_by, key_id, signature = headers.get(SIGNED_BY), headers.get(KEY_ID), headers.get(SIGNATURE)
        if not (signed_by and key_id and signature):
            raise Refused("unsigned", f"the entry on {stream} carries no signature")
        listed = self.keys.get(signed_by)
        if listed is None:
            raise Refused("unknown-producer", f"{signed_by!r} is not a known producer")
        secret = listed.get(key_id)
        if secret is None:
            raise Refused("unknown-key", f"{signed_by} has no key {key_id!r}")
        expected = mac(secret, producer=signed_by, key_id=key_id, stream=stream, body=body)
        if not hmac.compare_digest(expected.encode(), signature.encode()):
            raise Refused("bad-signature", f"{signed_by}/{key_id}'s signature does not match the entry on {stream}")
        if signed_by != owner:
            raise Refused("not-stream-owner", f"{signed_by} does not publish {stream} (its producer is {owner})")
        if producer != signed_by:
            raise Refused("producer-mismatch", f"the envelope names {producer!r}, the signer is {signed_by}")
