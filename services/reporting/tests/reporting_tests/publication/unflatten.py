"""Reading a flat 360Giving sheet back into grants by the schema's own titles (not the publisher's column table), so a
round trip checks the columns against the standard."""

from decimal import Decimal
from typing import Any

# Properties the schema leaves untitled ($ref to a shared definition); the standard's template titles them so.
UNTITLED = {"currency": "Currency", "disbursementTransaction": "Disbursement Transaction"}


def _titles(properties: dict[str, Any]) -> dict[str, str]:
    return {spec.get("title") or UNTITLED.get(key, key): key for key, spec in properties.items()}


def _item_schema(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    ref = (spec.get("items") or spec).get("$ref", "")
    return schema["$defs"][ref.rsplit("/", 1)[-1]] if ref else {}


def unflatten(row: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """The grant a flat row describes; numbers as Decimal, empty cells left out."""
    top, grant = _titles(schema["properties"]), {}
    for column, cell in row.items():
        if cell is None or cell == "":
            continue
        head, *rest = column.split(":")
        key = top[head]
        if not rest:
            grant[key] = _value(cell, schema["properties"][key])
            continue
        index, title = (int(rest[0]), rest[1]) if len(rest) == 2 else (0, rest[0])
        item_schema = _item_schema(schema, schema["properties"][key])
        field = _titles(item_schema["properties"])[title]
        items = grant.setdefault(key, [])
        items.extend({} for _ in range(index + 1 - len(items)))
        items[index][field] = _value(cell, item_schema["properties"][field])
    return grant


def _value(cell: Any, spec: dict[str, Any]) -> Any:
    kinds = spec.get("type", "string")
    return Decimal(str(cell)) if "number" in kinds else str(cell)


def as_decimals(node: Any) -> Any:
    """The JSON grant with its numbers as Decimal, for comparing with a sheet read back."""
    if isinstance(node, dict):
        return {key: as_decimals(value) for key, value in node.items()}
    if isinstance(node, list):
        return [as_decimals(item) for item in node]
    return Decimal(str(node)) if isinstance(node, int | float) and not isinstance(node, bool) else node
