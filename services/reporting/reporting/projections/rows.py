"""Writing projection rows cheaply: insert-once without a read first, and expiring only the object a write changed."""

from functools import cache
from typing import Any

from sqlalchemy import Table, TextClause, bindparam, text
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key


@cache
def _insert_once_statement(table: Table, keys: tuple[str, ...]) -> TextClause:
    # SQLAlchemy 2.0 cannot cache a dialect insert's ON CONFLICT clause, so it would compile one for every row;
    # a typed text statement is compiled once. Both SQLite and PostgreSQL take this form.
    columns, values = ", ".join(keys), ", ".join(f":{key}" for key in keys)
    statement = text(f"INSERT INTO {table.name} ({columns}) VALUES ({values}) ON CONFLICT DO NOTHING")
    return statement.bindparams(*(bindparam(key, type_=table.c[key].type) for key in keys))


def insert_once(session: Session, model: type[Any], values: dict[str, Any]) -> bool:
    """INSERT the row unless one with the same key is there already (ON CONFLICT DO NOTHING); True if inserted.

    One statement instead of a SELECT, an ORM object and a flush; a concurrent insert of the same key waits for the
    other transaction and then does nothing, as the read-then-insert it replaces would have found the row.
    """
    statement = _insert_once_statement(model.__table__, tuple(values))
    result = session.execute(statement, values)
    return bool(result.rowcount)  # type: ignore[attr-defined]


def expire_one(session: Session, model: type[Any], key: Any) -> None:
    """Forget the loaded state of one object that a bulk UPDATE changed (when the session holds it at all)."""
    loaded = session.identity_map.get(identity_key(model, key))
    if loaded is not None:
        session.expire(loaded)
