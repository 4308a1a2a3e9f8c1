"""Dead letters: messages that failed too often, kept in a stream per group for inspection and replay."""

import json
from typing import Any

from grants_shared.wire import DATA_FIELD

PREFIX = "grants.dead-letter."


def stream_of(group: str) -> str:
    """The dead-letter stream of a consumer group."""
    return f"{PREFIX}{group}"


def list_entries(client: Any, group: str | None = None) -> list[dict[str, str]]:
    """Dead letters of one group, or of every group, oldest first (for the operator command)."""
    streams = [stream_of(group)] if group else sorted(k.decode() for k in client.scan_iter(f"{PREFIX}*"))
    entries: list[dict[str, str]] = []
    for stream in streams:
        for entry_id, fields in client.xrange(stream):
            entries.append(
                {
                    "id": entry_id.decode(),
                    "dead_letter_stream": stream,
                    **{k.decode(): v.decode() for k, v in fields.items()},
                }
            )
    return entries


def depth(client: Any) -> dict[str, int]:
    """How many dead letters each group holds."""
    return {k.decode().removeprefix(PREFIX): int(client.xlen(k)) for k in client.scan_iter(f"{PREFIX}*")}


def replay(client: Any, group: str, entry_id: str) -> str:
    """Put a dead letter back on its original stream (same event id, so consumers stay idempotent); returns new id.

    Its signature is checked again: only what its stream's producer signed with a key still listed is applied.
    """
    stream = stream_of(group)
    found = client.xrange(stream, min=entry_id, max=entry_id)
    if not found:
        raise KeyError(f"no dead letter {entry_id} in {stream}")
    fields = {k.decode(): v.decode() for k, v in found[0][1].items()}
    with client.pipeline(transaction=True) as move:  # put back and removed together, or neither
        move.xadd(fields["stream"], {DATA_FIELD: _replayed_frame(fields, f"{stream}/{entry_id}")})
        move.xdel(stream, entry_id)
        new_id, _ = move.execute()
    return new_id.decode() if isinstance(new_id, bytes) else str(new_id)


def _replayed_frame(fields: dict[str, str], origin: str) -> str:
    """The entry as it travelled (its signature still holds: the envelope text is unchanged), marked as replayed.

    A dead letter written before frames were kept has only its body: put back unsigned, it is refused again.
    """
    try:
        frame = json.loads(fields["frame"])
        frame["headers"] = {**frame.get("headers", {}), "replayed_from": origin}
    except (KeyError, ValueError, TypeError, AttributeError):
        frame = {"headers": {"replayed_from": origin}, "data": fields["body"]}
    return json.dumps(frame)
