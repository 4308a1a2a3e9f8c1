"""`python -m reporting.migrate`: bring the reporting database (REPORTING_DATABASE_URL or var/) to the newest schema."""

from grants_shared.db import migrate
from reporting.bootstrap import settings


def main() -> None:
    """Run the Alembic migrations of the reporting service."""
    migrate(settings().db_url(), "reporting")


if __name__ == "__main__":
    main()
