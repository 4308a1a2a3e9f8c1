"""Operator recovery: mark a service's outbox rows unsent again so its relay publishes them once more.

After Redis loses its data, workers recreate their groups and this replay makes the system converge again;
consumers deduplicate by event id, so replaying more than was lost is harmless.
`python -m grants_shared.outbox_admin SERVICE [SINCE_ISO]`.
"""

import sys
from datetime import datetime

from sqlalchemy import update

from grants_shared import tables
from grants_shared.db import make_engine
from grants_shared.migrate import database_url


def replay(url: str, since: datetime | None = None) -> int:
    """Mark published rows (created at or after `since`, or all) unsent; returns how many."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            query = update(tables.outbox).where(tables.outbox.c.published_at.is_not(None))
            if since is not None:
                query = query.where(tables.outbox.c.created_at >= since)
            return int(connection.execute(query.values(published_at=None)).rowcount)
    finally:
        engine.dispose()


if __name__ == "__main__":
    service, since = sys.argv[1], datetime.fromisoformat(sys.argv[2]) if len(sys.argv) > 2 else None
    print(f"{service}: {replay(database_url(service), since)} outbox row(s) will be published again")
