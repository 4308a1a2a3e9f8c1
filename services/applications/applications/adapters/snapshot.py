"""A stored row as a plain dict, for the audit log's before and after."""

from typing import Any

from sqlalchemy import inspect


def row_dict(obj: Any) -> dict[str, Any]:
    """Every column of a mapped object, by name."""
    return {column.key: getattr(obj, column.key) for column in inspect(obj).mapper.column_attrs}
