"""Writing projection rows cheaply: insert-once without a read first, and expiring only the object a write changed."""

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key


def insert_once(session: Session, model: type[Any], values: dict[str, Any]) -> bool:
    """INSERT the row unless one with the same key is there already (ON CONFLICT DO NOTHING); True if inserted.

    One statement instead of a SELECT, an ORM object and a flush; a concurrent insert of the same key waits for the
    other transaction and then does nothing, as the read-then-insert it replaces would have found the row.
    """
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(model).values(values).on_conflict_do_nothing()
    result = session.execute(statement.execution_options(synchronize_session=False))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def expire_one(session: Session, model: type[Any], key: Any) -> None:
    """Forget the loaded state of one object that a bulk UPDATE changed (when the session holds it at all)."""
    loaded = session.identity_map.get(identity_key(model, key))
    if loaded is not None:
        session.expire(loaded)
