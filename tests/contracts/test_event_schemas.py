"""A published event version never changes incompatibly: its JSON Schema is compared with the snapshot."""

import json
from pathlib import Path

import pytest

from grants_shared.events import ALL_EVENTS, Event
from grants_shared.events.schemas import breaking_changes, schema_of

SNAPSHOTS = Path(__file__).resolve().parents[2] / "docs" / "events" / "schemas"


@pytest.mark.parametrize("event", ALL_EVENTS, ids=lambda e: e.stream())
def test_published_event_schema_is_compatible_with_its_snapshot(event: type[Event]) -> None:
    path = SNAPSHOTS / f"{event.stream()}.json"
    assert path.exists(), f"no snapshot for {event.stream()}: run python -m grants_shared.events.schemas"
    problems = breaking_changes(json.loads(path.read_text()), schema_of(event))
    assert not problems, f"{event.stream()} changed incompatibly; publish a new version instead: {problems}"


def test_the_compatibility_rule_catches_a_removed_field_and_a_new_required_one() -> None:
    old = {"$defs": {"X": {"properties": {"a": {"type": "string"}, "b": {"type": "integer"}}, "required": ["a"]}}}
    new = {"$defs": {"X": {"properties": {"a": {"type": "string"}, "c": {"type": "integer"}}, "required": ["a", "c"]}}}
    assert breaking_changes(old, new) == ["X.b: removed or changed", "X.c: new required field"]
    optional_added = {
        "$defs": {"X": {"properties": {**old["$defs"]["X"]["properties"], "d": {"type": "string"}}, "required": ["a"]}}
    }
    assert breaking_changes(old, optional_added) == []


def test_every_stream_name_is_unique_and_versioned() -> None:
    streams = [e.stream() for e in ALL_EVENTS]
    assert len(set(streams)) == len(streams)
    assert all(s.startswith("grants.") and s.rsplit(".", 1)[-1].startswith("v") for s in streams)


def test_every_event_is_exported_by_name() -> None:
    import grants_shared.events as catalogue

    assert {e.__name__ for e in ALL_EVENTS} <= set(catalogue.__all__), "name the new event in __all__ too"
