"""The body of a webhook and of the feed: the event envelope as CloudEvents 1.0 attributes (JSON format)."""

import json
from typing import Any

SOURCE_BASE = "urn:cwf-grants:"
TYPE_BASE = "uk.org.cwf.grants."


def cloud_event(envelope: dict[str, Any]) -> dict[str, Any]:
    """An envelope (as JSON) as a CloudEvent: id, source, type, subject, time, data and the platform's extensions."""
    return {
        "specversion": "1.0",
        "id": envelope["event_id"],
        "source": f"{SOURCE_BASE}{envelope['producer']}",
        "type": f"{TYPE_BASE}{envelope['event_type']}.v{envelope['event_version']}",
        "subject": envelope["subject"],
        "time": envelope["occurred_at"],
        "datacontenttype": "application/json",
        "correlationid": envelope["correlation_id"],
        "causationid": envelope.get("causation_id"),
        "data": envelope["payload"],
    }


def body_text(envelope: dict[str, Any]) -> str:
    """The CloudEvent as the compact JSON text that is signed and sent."""
    return json.dumps(cloud_event(envelope), separators=(",", ":"), sort_keys=True)
