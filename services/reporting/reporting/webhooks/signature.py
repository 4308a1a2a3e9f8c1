"""Standard Webhooks signatures (https://www.standardwebhooks.com): `whsec_` secrets and `v1,` HMAC-SHA256 values."""

import base64
import hashlib
import hmac
import secrets

PREFIX = "whsec_"
SECRET_BYTES = 32


def new_secret() -> str:
    """A fresh signing secret: `whsec_` and 32 random bytes in base64."""
    return PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def key_of(secret: str) -> bytes:
    """The HMAC key a `whsec_` secret stands for."""
    return base64.b64decode(secret.removeprefix(PREFIX))


def sign(secret: str, message_id: str, timestamp: int, body: str) -> str:
    """One `v1,<base64 HMAC-SHA256>` value over `{id}.{timestamp}.{body}`."""
    signed = f"{message_id}.{timestamp}.{body}".encode()
    return "v1," + base64.b64encode(hmac.new(key_of(secret), signed, hashlib.sha256).digest()).decode()


def signature_header(active: list[str], message_id: str, timestamp: int, body: str) -> str:
    """The webhook-signature header: one value per active secret, space-separated (two during a rotation)."""
    return " ".join(sign(secret, message_id, timestamp, body) for secret in active)


def headers(active: list[str], message_id: str, timestamp: int, body: str) -> dict[str, str]:
    """The three Standard Webhooks headers of a delivery, with the JSON content type."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(active, message_id, timestamp, body),
        "content-type": "application/json",
    }
