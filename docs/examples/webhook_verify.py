"""Verify a Community Wealth Fund webhook (Standard Webhooks): copy this file, it needs nothing but the stdlib.

    from webhook_verify import verify, Invalid
    verify(secret, headers, raw_body)  # raises Invalid, else returns the body parsed

The signature covers `{webhook-id}.{webhook-timestamp}.{raw body}`; compare against every `v1,` value of the
header (during a secret rotation there are two), refuse timestamps more than `tolerance_s` away from now (replays).
"""

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

TOLERANCE_S = 5 * 60


class Invalid(Exception):
    """The webhook is not authentic, or too old or too new."""


def expected_signature(secret: str, message_id: str, timestamp: str, body: bytes | str) -> str:
    """The base64 HMAC-SHA256 that `secret` gives the message."""
    raw = body.encode() if isinstance(body, str) else body
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = message_id.encode() + b"." + timestamp.encode() + b"." + raw
    return base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes | str,
    *,
    now: float | None = None,
    tolerance_s: int = TOLERANCE_S,
) -> Any:
    """The parsed body if the headers' signature is `secret`'s and the timestamp is recent; else Invalid."""
    lowered = {k.lower(): v for k, v in headers.items()}
    try:
        message_id = lowered["webhook-id"]
        timestamp = lowered["webhook-timestamp"]
        signatures = lowered["webhook-signature"]
    except KeyError as missing:
        raise Invalid(f"missing header {missing}") from None
    if not timestamp.isdigit():
        raise Invalid("bad webhook-timestamp")
    if abs((time.time() if now is None else now) - int(timestamp)) > tolerance_s:
        raise Invalid("webhook-timestamp outside the tolerance")
    wanted = expected_signature(secret, message_id, timestamp, body)
    for value in signatures.split():
        version, _, signature = value.partition(",")
        if version == "v1" and hmac.compare_digest(signature, wanted):
            return json.loads(body)
    raise Invalid("no matching signature")
