"""The wire format on every stream: plain JSON that any Redis client can read, not FastStream's binary frame."""

import json
from collections.abc import Sequence
from typing import Any

from faststream.redis.parser import BinaryMessageFormatV1

DATA_FIELD = "__data__"


class JsonMessageFormat(BinaryMessageFormatV1):
    """Writes `{"headers": {...}, "data": "<envelope JSON>"}` in the `__data__` field; reads it back too."""

    @classmethod
    async def encode(
        cls,
        *,
        message: Sequence[Any] | Any,
        reply_to: str | None,
        headers: dict[str, Any] | None,
        correlation_id: str,
        serializer: Any = None,
        codec: Any = None,
    ) -> bytes:
        built = await cls.build(
            message=message,
            reply_to=reply_to,
            headers=headers,
            correlation_id=correlation_id,
            serializer=serializer,
            codec=codec,
        )
        return json.dumps({"headers": built.headers, "data": built.data.decode()}).encode()


def decode_entry(fields: dict[bytes, bytes]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Read a raw stream entry written by the platform: (envelope as a dict, headers)."""
    frame = json.loads(fields[DATA_FIELD.encode()])
    return json.loads(frame["data"]), dict(frame.get("headers", {}))


def encode_frame(envelope_json: str, headers: dict[str, str]) -> str:
    """The `__data__` value of an entry carrying `envelope_json`, as the broker's publish would write it."""
    event_id = headers.get("event_id", "")
    return json.dumps(
        {"headers": {"correlation_id": event_id, "content-type": "application/json", **headers}, "data": envelope_json}
    )
