"""`python -m grants_shared.migrate <service>`: bring one service's database to the newest schema."""

import os
import sys

from grants_shared.db import migrate
from grants_shared.settings import PlatformSettings


def database_url(service: str) -> str:
    """The service's database: `<SERVICE>_DATABASE_URL`, else its SQLite file under var/."""
    return os.environ.get(f"{service.upper()}_DATABASE_URL") or PlatformSettings().sqlite_url(service)


if __name__ == "__main__":
    for name in sys.argv[1:]:
        migrate(database_url(name), name)
