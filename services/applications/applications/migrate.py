"""Bring the applications database to the newest schema: `python -m applications.migrate`."""

from applications import bootstrap


def main() -> None:
    """Run the Alembic migrations on APPLICATIONS_DATABASE_URL (default var/applications.db)."""
    bootstrap.migrate_database()
    print(f"applications database at head: {bootstrap.settings().db_url()}")


if __name__ == "__main__":
    main()
