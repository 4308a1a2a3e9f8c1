"""An example envelope of every event, for the AsyncAPI documents: the contract's own examples, else made from its
schema (ids, pence, dates and codes that read like the platform's), and always validated by the contract itself."""

import uuid
from typing import Any

from grants_shared.events import Event
from grants_shared.events.envelope import envelope_of

MOMENT = "2026-01-05T09:00:00Z"
DAY = "2026-02-01"
NAMESPACE = uuid.UUID("6f1c2a7e-4b1d-4d8e-9a57-0c0ffee00000")  # stable event ids: the documents stay diff-clean


def example_envelope(event: type[Event]) -> dict[str, Any]:
    """An envelope of `event` as it travels (JSON values), checked against the contract (ValueError if not)."""
    payload = _given_example(event) or _from_schema(event.model_json_schema())
    subject = payload.get("grant_id") or payload.get("application_id") or payload.get("round_id") or "grant-1"
    envelope = {
        "event_id": str(uuid.uuid5(NAMESPACE, event.stream())),
        "event_type": event.event_type,
        "event_version": event.event_version,
        "occurred_at": MOMENT,
        "producer": event.producer,
        "subject": subject,
        "correlation_id": str(uuid.uuid5(NAMESPACE, f"{event.stream()}/correlation")),
        "causation_id": None,
        "payload": payload,
    }
    checked: dict[str, Any] = envelope_of(event).model_validate(envelope).model_dump(mode="json")
    return checked


def _given_example(event: type[Event]) -> dict[str, Any] | None:
    """The contract's own example (`json_schema_extra={"examples": [...]}`), if it has one."""
    extra = event.model_config.get("json_schema_extra")
    examples = extra.get("examples") if isinstance(extra, dict) else None
    return dict(examples[0]) if isinstance(examples, list) and examples and isinstance(examples[0], dict) else None


def _from_schema(schema: dict[str, Any]) -> dict[str, Any]:
    made = _value(schema, "", schema.get("$defs", {}))
    return made if isinstance(made, dict) else {}


def _value(schema: dict[str, Any], name: str, defs: dict[str, Any]) -> Any:
    """A plausible value for a field called `name` of this schema."""
    if "$ref" in schema:
        return _value(defs[schema["$ref"].rsplit("/", 1)[-1]], name, defs)
    for key in ("examples", "enum"):
        if schema.get(key):
            return schema[key][0]
    if "const" in schema:
        return schema["const"]
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    if "anyOf" in schema or "oneOf" in schema:
        options = [s for s in schema.get("anyOf", schema.get("oneOf", [])) if s.get("type") != "null"]
        return _value(options[0], name, defs) if options else None
    kind = schema.get("type")
    if kind == "object":
        return {key: _value(sub, key, defs) for key, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return [_value(schema.get("items", {}), name, defs) for _ in range(max(1, schema.get("minItems", 1)))]
    if kind == "integer":
        return _bounded(25_000_000 if name.endswith("_pence") else 1, schema)
    if kind == "number":
        return _bounded(61.5, schema)
    if kind == "boolean":
        return True
    return _text(schema, name)


def _bounded(value: float, schema: dict[str, Any]) -> Any:
    low = schema.get("minimum", schema.get("exclusiveMinimum", value))
    high = schema.get("maximum", schema.get("exclusiveMaximum", value))
    return min(max(value, low), high)


def _text(schema: dict[str, Any], name: str) -> str:
    formats = {"date-time": MOMENT, "date": DAY}
    if schema.get("format") in formats:
        return formats[schema["format"]]
    if name.endswith(("_id", "_ids")):
        text = f"{name.rsplit('_', 1)[0].replace('_', '-')}-1"
    elif name.endswith("_by"):
        text = "finance-officer-1"
    elif name.endswith("code"):
        text = "E05000001"
    else:
        text = name.replace("_", " ") or "text"
    return text[: schema.get("maxLength", len(text))]
