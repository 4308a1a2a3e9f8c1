"""Developer command: `python -m grants_shared.makemigration <service> "message"` autogenerates a migration."""

import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.config import Config


def main(package: str, message: str) -> None:
    """Compare the service's models with its migrated schema on a scratch SQLite file; write the difference."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'scratch.db'}"
        config = Config()
        config.set_main_option("script_location", f"{package}:migrations")
        config.set_main_option("sqlalchemy.url", url)
        config.attributes["database_url"] = url
        command.upgrade(config, "head")
        command.revision(config, message=message, autogenerate=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
