"""One free-text rule for every service: every string a client can send in a request body refuses control characters.

The fields are found by walking each route's request body schema (the models FastAPI validates with), so a field added
tomorrow is checked without anyone listing it. A free-text field must carry the shared rule (`grants_shared.http.text`:
its pattern is in the schema); only a field whose own pattern admits nothing but a fixed alphabet is exempt.
"""

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from pydantic import TypeAdapter, ValidationError

from applications.domain.organisation_ids import SCHEMA_PATTERN
from grants_shared.http.text import LINE_PATTERN, PATTERN, refusal

from .test_query_routes import api_routes
from .test_read_routes import SERVICES

BAD = ["a\x00b", "\x00", "a\x1bb", "a\x7fb", "a\x9bb", "a\ud800b"]
"""NUL (a 500 on PostgreSQL), an escape, DEL, a C1 control and a lone surrogate."""
STRUCTURED = {
    r"^[0-9]{6}$",
    r"^[0-9]{8}$",
    SCHEMA_PATTERN,
    r"^[a-z0-9][a-z0-9-]*$",
    r"^[0-9]{4}-[0-9]{2}$",
    r"^[A-Za-z0-9_.:-]{1,64}$",
    r"^[a-z][a-z0-9_]{1,49}$",
}
"""Patterns of fields that are not free text, each a fixed alphabet: sort codes, account numbers, 360Giving org ids,
pool ids, financial years (2031-32), adviser ids and indicator codes."""
KEY, VALUE = "<key>", "<value>"
Path = tuple[str | int, ...]


def body_models(service: str) -> Iterator[tuple[str, Any]]:
    """(route, annotation) for each request body a route of `service` reads."""
    for _, route in api_routes(service):
        assert isinstance(route, APIRoute)
        for param in route.dependant.body_params:
            yield f"{service} {sorted(route.methods or ['?'])[0]} {route.path}", param.field_info.annotation


def string_fields(
    schema: dict[str, Any], defs: dict[str, Any], path: Path = ()
) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Every place a string goes in a JSON schema: (path to it, its schema). A map's key is a place too."""
    if "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
    for combined in ("anyOf", "oneOf", "allOf"):
        for branch in schema.get(combined, []):
            yield from string_fields(branch, defs, path)
    if schema.get("type") == "string":
        yield path, schema
    for name, prop in schema.get("properties", {}).items():
        yield from string_fields(prop, defs, (*path, name))
    if isinstance(schema.get("items"), dict):
        yield from string_fields(schema["items"], defs, (*path, 0))
    values = [*schema.get("patternProperties", {}).values()]
    if isinstance(schema.get("additionalProperties"), dict):
        values.append(schema["additionalProperties"])
    for value in values:
        yield from string_fields(value, defs, (*path, VALUE))
    keys = schema.get("propertyNames") or ({"type": "string"} if values else None)
    if keys is not None:
        yield (*path, KEY), {**keys, "pattern": next(iter(schema.get("patternProperties", {})), keys.get("pattern"))}


def payload(path: Path, bad: str) -> Any:
    """A body with `bad` at `path` and nothing else."""
    if not path:
        return bad
    step, rest = path[0], path[1:]
    if step == KEY:
        return {bad: 1}
    if step == VALUE:
        return {"k": payload(rest, bad)}
    if isinstance(step, int):
        return [payload(rest, bad)]
    return {step: payload(rest, bad)}


def where_refused(path: Path, bad: str) -> tuple[Any, ...]:
    """The error location pydantic gives a bad value at `path`."""
    loc: list[Any] = []
    for step in path:
        loc += ["[key]"] if step == KEY else ["k"] if step == VALUE else [step]
    return tuple(loc)


def within(expected: tuple[Any, ...], loc: tuple[Any, ...]) -> bool:
    """True when `loc` runs through `expected` in order (a union adds the name of the branch it tried)."""
    steps = iter(loc)
    return all(any(step == wanted for step in steps) for wanted in expected)


def all_fields() -> list[tuple[str, Any, Path, dict[str, Any]]]:
    """(route, body annotation, path, schema) for every string field of every service's request bodies."""
    found = []
    for service in SERVICES:
        for route, annotation in body_models(service):
            schema = TypeAdapter(annotation).json_schema()
            for path, field in string_fields(schema, schema.get("$defs", {})):
                found.append((route, annotation, path, field))
    return found


FIELDS = all_fields()


def test_the_walk_finds_the_free_text_fields_of_every_service() -> None:
    named = {(route.split()[0], path[-1] if path else "") for route, _, path, _ in FIELDS}
    for expected in [
        ("applications", "summary"),
        ("applications", "reason"),
        ("allocation", "name"),
        ("allocation", KEY),
        ("payments", "note"),
        ("payments", "reason"),
        ("payments", "reference"),
        ("payments", "name"),
        ("reporting", "narrative"),
        ("reporting", 0),
    ]:
        assert expected in named, f"the walk missed {expected}"


@pytest.mark.parametrize(("route", "annotation", "path", "field"), FIELDS, ids=[f"{f[0]} {f[2]}" for f in FIELDS])
def test_every_string_field_of_every_request_body_refuses_control_characters(
    route: str, annotation: Any, path: Path, field: dict[str, Any]
) -> None:
    adapter = TypeAdapter(annotation)
    for bad in BAD:
        body = json.loads(json.dumps(payload(path, bad)))  # as FastAPI reads it: a lone surrogate survives
        with pytest.raises(ValidationError) as refused:
            adapter.validate_python(body)
        expected = where_refused(path, bad)
        locs = [tuple(error["loc"]) for error in refused.value.errors()]
        assert any(within(expected, loc) for loc in locs), f"{route}: {path} took {bad!r} (errors at {locs})"


@pytest.mark.parametrize(("route", "annotation", "path", "field"), FIELDS, ids=[f"{f[0]} {f[2]}" for f in FIELDS])
def test_every_free_text_field_carries_the_one_rule(
    route: str, annotation: Any, path: Path, field: dict[str, Any]
) -> None:
    if "enum" in field or "const" in field or "format" in field:
        return  # a choice or a date: not free text
    assert field.get("pattern") in {PATTERN, LINE_PATTERN, *STRUCTURED}, (
        f"{route}: {path} is free text without the shared rule (grants_shared.http.text): {field}"
    )


def test_the_rule_keeps_paragraphs_in_text_and_refuses_them_in_a_line() -> None:
    assert refusal("First.\n\n\tSecond.") is None
    assert refusal("Payee\tLtd", multiline=False) is not None
    assert refusal("Payee \u202eDTL", multiline=False) is not None
    assert refusal("   ") == "must not be blank"
