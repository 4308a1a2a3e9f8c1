"""JSON Schemas of the published events, and the rule for what a version may change."""

import json
from pathlib import Path
from typing import Any

from grants_shared.events import ALL_EVENTS
from grants_shared.events.envelope import Envelope, Event


def schema_of(event: type[Event]) -> dict[str, Any]:
    """The JSON Schema of an event as it travels: its envelope with the payload inline."""
    model: Any = Envelope[event]  # type: ignore[valid-type]
    schema: dict[str, Any] = model.model_json_schema()
    return schema


def breaking_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What makes `new` incompatible with `old`: removed or changed fields, or new required ones."""
    problems = []
    old_defs, new_defs = _definitions(old), _definitions(new)
    for name, old_def in old_defs.items():
        new_def = new_defs.get(name)
        if new_def is None:
            problems.append(f"{name}: definition removed")
            continue
        for field, spec in old_def.get("properties", {}).items():
            if new_def.get("properties", {}).get(field) != spec:
                problems.append(f"{name}.{field}: removed or changed")
        added_required = set(new_def.get("required", [])) - set(old_def.get("required", []))
        problems += [f"{name}.{field}: new required field" for field in sorted(added_required)]
    return problems


def _definitions(schema: dict[str, Any]) -> dict[str, Any]:
    root = {key: schema[key] for key in ("properties", "required") if key in schema}
    return {**schema.get("$defs", {}), "(envelope)": root}


def write_snapshots(folder: Path) -> None:
    """Write every event's schema to `folder/<stream>.json` (run after a deliberate, compatible change)."""
    folder.mkdir(parents=True, exist_ok=True)
    for event in ALL_EVENTS:
        path = folder / f"{event.stream()}.json"
        path.write_text(json.dumps(schema_of(event), indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    write_snapshots(Path("docs/events/schemas"))
