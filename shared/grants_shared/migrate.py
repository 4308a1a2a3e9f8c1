"""The one migration path of every service: `python -m grants_shared.migrate <service>...`, `grants migrate`, and
`<SERVICE>_MIGRATE_ON_START` all bring a database to the newest schema through `migrate_service`."""

import logging
import os
import sys
import time

from grants_shared.db import migrate
from grants_shared.settings import PlatformSettings

log = logging.getLogger(__name__)


def database_url(service: str) -> str:
    """The service's database: `<SERVICE>_DATABASE_URL`, else its SQLite file under var/."""
    return os.environ.get(f"{service.upper()}_DATABASE_URL") or PlatformSettings().sqlite_url(service)


def migrate_service(service: str, url: str | None = None, attempts: int = 1) -> None:
    """Bring `service`'s database (`url`, else the one its environment names) to the newest schema.

    With `attempts` above 1 a failed run is tried again: an API and a worker starting together both migrate, and the
    one that loses the race finds the schema at head on its next try.
    """
    target = url or database_url(service)
    for attempt in range(1, attempts + 1):
        try:
            migrate(target, service)
            return
        except Exception as error:
            if attempt == attempts:
                raise
            log.warning("migration of %s, attempt %d failed (%r); retrying", service, attempt, error)
            time.sleep(0.5)  # the concurrent migration finishes within a second or two


if __name__ == "__main__":
    for name in sys.argv[1:]:
        migrate_service(name)
