"""Writing projection rows cheaply: insert-once without a read first, and expiring only the object a write changed."""

from functools import cache
from typing import Any

from sqlalchemy import JSON, Dialect, Select, Table, TextClause, bindparam, select, text
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key
from sqlalchemy.types import TypeDecorator

from grants_shared.uow import defer, transaction_cache


class EncodedJSON(TypeDecorator[str]):
    """A JSON column bound from text that is JSON already (PostgreSQL keeps the column type's `::JSON` cast)."""

    impl = JSON
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> None:
        """No processing: the value was encoded once, by whoever had it as a model."""
        return None


@cache
def _insert_once_statement(table: Table, keys: tuple[str, ...], encoded: tuple[str, ...] = ()) -> TextClause:
    # SQLAlchemy 2.0 cannot cache a dialect insert's ON CONFLICT clause, so it would compile one for every row;
    # a typed text statement is compiled once. Both SQLite and PostgreSQL take this form.
    columns, values = ", ".join(keys), ", ".join(f":{key}" for key in keys)
    statement = text(f"INSERT INTO {table.name} ({columns}) VALUES ({values}) ON CONFLICT DO NOTHING")
    return statement.bindparams(
        *(bindparam(key, type_=EncodedJSON() if key in encoded else table.c[key].type) for key in keys)
    )


def insert_once(session: Session, model: type[Any], values: dict[str, Any]) -> bool:
    """INSERT the row unless one with the same key is there already (ON CONFLICT DO NOTHING); True if inserted.

    One statement instead of a SELECT, an ORM object and a flush; a concurrent insert of the same key waits for the
    other transaction and then does nothing, as the read-then-insert it replaces would have found the row.
    """
    statement = _insert_once_statement(model.__table__, tuple(values))
    result = session.execute(statement, values)
    return bool(result.rowcount)  # type: ignore[attr-defined]


def insert_later(session: Session, model: type[Any], values: dict[str, Any], *, encoded: tuple[str, ...] = ()) -> None:
    """`insert_once`, written with the other rows of its table in one executemany before the next statement.

    The row's key is then known to exist for the rest of the transaction (inserted now, or there already).
    `encoded` names JSON columns whose values are given as JSON text already.
    """
    table = model.__table__
    defer(session, _insert_once_statement(table, tuple(values), encoded), values)
    key = values.get(table.primary_key.columns[0].name)
    if key is not None:
        transaction_cache(session).setdefault(model, set()).add(key)


@cache
def _upsert_newer_statement(table: Table, keys: tuple[str, ...], updated: tuple[str, ...], stamp: str) -> TextClause:
    # Latest wins in the statement itself (`>=`: of two events stamped alike, the later applied wins, as before).
    key = table.primary_key.columns[0].name
    columns, values = ", ".join(keys), ", ".join(f":{k}" for k in keys)
    changes = ", ".join(f"{column} = excluded.{column}" for column in updated)
    statement = text(
        f"INSERT INTO {table.name} ({columns}) VALUES ({values}) ON CONFLICT ({key}) DO UPDATE SET {changes} "
        f"WHERE excluded.{stamp} >= {table.name}.{stamp}"
    )
    return statement.bindparams(*(bindparam(k, type_=table.c[k].type) for k in keys))


def upsert_newer_later(
    session: Session, model: type[Any], values: dict[str, Any], *, updated: tuple[str, ...], stamp: str
) -> None:
    """Insert the row, or set its `updated` columns when this row's `stamp` is not older than the stored one.

    Deferred like `insert_later` (one executemany with the batch's other rows, in the order given), so a repeated or
    late event changes nothing and no ORM object is loaded or flushed.
    """
    defer(session, _upsert_newer_statement(model.__table__, tuple(values), updated, stamp), values)
    expire_one(session, model, values[model.__table__.primary_key.columns[0].name])


@cache
def _exists_statement(table: Table) -> Select[Any]:
    key = table.primary_key.columns[0]
    return select(key).where(key == bindparam("key"))


def exists(session: Session, model: type[Any], key: str) -> bool:
    """True when a row of `model` with this primary key exists (read once per transaction; rows are never deleted)."""
    known: set[str] = transaction_cache(session).setdefault(model, set())
    if key in known:
        return True
    if session.execute(_exists_statement(model.__table__), {"key": key}).first() is None:
        return False
    known.add(key)
    return True


def expire_one(session: Session, model: type[Any], key: Any) -> None:
    """Forget the loaded state of one object that a bulk UPDATE changed (when the session holds it at all)."""
    if not session.identity_map:  # the consumer loads no objects: skip building the identity key
        return
    loaded = session.identity_map.get(identity_key(model, key))
    if loaded is not None:
        session.expire(loaded)
