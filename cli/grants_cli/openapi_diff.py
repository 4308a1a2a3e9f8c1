"""Breaking changes between two OpenAPI documents of one service: what would break a client built on the first.

Breaking: a removed route or method, a removed response field, a removed enum value, a newly required request input
(parameter, body, or body field), and a narrowed type (a request that accepted a type refuses it now, or a response
field that promised a type may now carry another). Adding routes, optional inputs, response fields or enum values
is not breaking. A breaking change is allowed only when the document's `info.version` moves to a new major version.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
Direction = Literal["request", "response"]
Resolve = Callable[[Any], Any]


@dataclass(frozen=True)
class Break:
    """One breaking change: its kind, where it is (operation and field), and what changed."""

    kind: str
    where: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind} at {self.where}: {self.detail}"


def major(document: dict[str, Any]) -> int:
    """The major part of `info.version` (0 when it has none)."""
    head = str(document.get("info", {}).get("version", "0")).split(".", 1)[0]
    return int(head) if head.isdigit() else 0


def refused(before: dict[str, Any], after: dict[str, Any]) -> list[Break]:
    """The breaking changes from `before` to `after`, unless `after` moved to a new major version (then none)."""
    return [] if major(after) > major(before) else breaking_changes(before, after)


def breaking_changes(before: dict[str, Any], after: dict[str, Any]) -> list[Break]:
    """Every breaking change from `before` to `after`, whatever the versions say."""
    found: list[Break] = []
    for path, method, old in _operations(before):
        new = after.get("paths", {}).get(path, {}).get(method)
        where = f"{method.upper()} {path}"
        if new is None:
            found.append(Break("removed-operation", where, "the route or method is gone"))
            continue
        found += _Compare(before, after, where).operation(old, new)
    return found


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in sorted(document.get("paths", {}).items()):
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


class _Compare:
    """One operation compared: its parameters, request body and successful responses."""

    def __init__(self, before: dict[str, Any], after: dict[str, Any], where: str) -> None:
        self.before, self.after, self.where = before, after, where
        self.found: list[Break] = []
        self.seen: set[tuple[int, int, Direction]] = set()

    def operation(self, old: dict[str, Any], new: dict[str, Any]) -> list[Break]:
        self._parameters(old.get("parameters", []), new.get("parameters", []))
        self._request_body(old.get("requestBody"), new.get("requestBody"))
        for status, response in old.get("responses", {}).items():
            if str(status).startswith("2") and status in new.get("responses", {}):
                self.schema(_json_schema(response), _json_schema(new["responses"][status]), f"{status}", "response")
        return self.found

    def _break(self, kind: str, field: str, detail: str) -> None:
        self.found.append(Break(kind, f"{self.where} {field}".strip(), detail))

    def _parameters(self, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> None:
        before = {(p.get("in"), p.get("name")): p for p in (self._resolve(p, self.before) for p in old)}
        for p in (self._resolve(p, self.after) for p in new):
            key, was = (p.get("in"), p.get("name")), before.get((p.get("in"), p.get("name")))
            field = f"{key[0]} parameter {key[1]}"
            if p.get("required") and not (was and was.get("required")):
                self._break("new-required-input", field, "a request without it is refused now")
            if was is not None:
                self.schema(was.get("schema", {}), p.get("schema", {}), field, "request")

    def _request_body(self, old: dict[str, Any] | None, new: dict[str, Any] | None) -> None:
        if new is None:
            return
        new = self._resolve(new, self.after)
        old = self._resolve(old, self.before) if old is not None else None
        if new.get("required") and not (old and old.get("required")):
            self._break("new-required-input", "request body", "a request without a body is refused now")
        if old is not None:
            self.schema(_json_schema(old), _json_schema(new), "request body", "request")

    def schema(self, old: dict[str, Any], new: dict[str, Any], field: str, direction: Direction) -> None:
        """Compare two schemas of the same place, following references, properties and items."""
        old, new = self._resolve(old, self.before), self._resolve(new, self.after)
        key = (id(old), id(new), direction)
        if key in self.seen or not old or not new:
            return
        self.seen.add(key)
        ro, rn = self._in(self.before), self._in(self.after)
        self._types(_types(old, ro), _types(new, rn), field, direction)
        self._enums(_enum(old, ro), _enum(new, rn), field)
        old_props, new_props = _properties(old, ro), _properties(new, rn)
        for name, sub in old_props.items():
            if name not in new_props:
                if direction == "response":
                    self._break("removed-response-field", f"{field}.{name}", "clients reading it find nothing")
                continue
            self.schema(sub, new_props[name], f"{field}.{name}", direction)
        if direction == "request":
            newly = _required(new, rn) - _required(old, ro)
            for name in sorted(newly):
                self._break("new-required-input", f"{field}.{name}", "a request without it is refused now")
        old_items, new_items = _items(old, ro), _items(new, rn)
        if old_items is not None and new_items is not None:
            self.schema(old_items, new_items, f"{field}[]", direction)

    def _types(self, was: set[str] | None, now: set[str] | None, field: str, direction: Direction) -> None:
        if was is None or now is None:
            return  # one side says nothing of its type: anything goes
        narrowed = not _covers(now, was) if direction == "request" else not _covers(was, now)
        if narrowed:
            self._break("narrowed-type", field, f"{'/'.join(sorted(was))} became {'/'.join(sorted(now))}")

    def _enums(self, was: set[Any] | None, now: set[Any] | None, field: str) -> None:
        if was is not None and now is not None:
            for value in sorted(was - now, key=str):
                self._break("removed-enum-value", field, f"{value!r} is no longer a value")

    def _resolve(self, node: Any, document: dict[str, Any]) -> Any:
        """Follow `$ref` (and a lone allOf wrapping one, as pydantic writes a described reference)."""
        seen = 0
        while isinstance(node, dict) and seen < 50:
            seen += 1
            if "$ref" in node:
                node = _lookup(document, node["$ref"])
            elif list(node) == ["allOf"] or (set(node) - {"description", "title", "default"}) == {"allOf"}:
                if len(node["allOf"]) != 1:
                    return node
                node = node["allOf"][0]
            else:
                return node
        return node

    def _in(self, document: dict[str, Any]) -> Resolve:
        return lambda node: self._resolve(node, document)


def _lookup(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for part in ref.lstrip("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _json_schema(holder: dict[str, Any] | None) -> dict[str, Any]:
    content = (holder or {}).get("content", {})
    media: dict[str, Any] = content.get("application/json") or next(iter(content.values()), {})
    schema: dict[str, Any] = media.get("schema", {})
    return schema


def _variants(schema: dict[str, Any], resolve: Resolve) -> list[dict[str, Any]]:
    """The alternatives of a union (anyOf/oneOf), each resolved; the schema itself when it is not one."""
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return [resolve(s) for s in schema[key]]
    return [schema]


def _types(schema: dict[str, Any], resolve: Resolve) -> set[str] | None:
    found: set[str] = set()
    for variant in _variants(schema, resolve):
        kind = variant.get("type")
        if kind is None:
            return None
        found |= {kind} if isinstance(kind, str) else set(kind)
    return found


def _covers(wide: set[str], narrow: set[str]) -> bool:
    """True when every type of `narrow` is one of `wide` (an integer is a number)."""
    return all(t in wide or (t == "integer" and "number" in wide) for t in narrow)


def _enum(schema: dict[str, Any], resolve: Resolve) -> set[Any] | None:
    values: set[Any] = set()
    for variant in _variants(schema, resolve):
        if "enum" in variant:
            values |= set(variant["enum"])
        elif "const" in variant:
            values.add(variant["const"])
        elif variant.get("type") != "null":
            return None  # an open alternative: any value goes
    return values or None


def _properties(schema: dict[str, Any], resolve: Resolve) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for variant in _variants(schema, resolve):
        merged.update(variant.get("properties", {}))
    return merged


def _required(schema: dict[str, Any], resolve: Resolve) -> set[str]:
    variants = [v for v in _variants(schema, resolve) if v.get("type") != "null"]
    return set(variants[0].get("required", [])) if len(variants) == 1 else set()


def _items(schema: dict[str, Any], resolve: Resolve) -> dict[str, Any] | None:
    for variant in _variants(schema, resolve):
        if "items" in variant:
            items: dict[str, Any] = variant["items"]
            return items
    return None
