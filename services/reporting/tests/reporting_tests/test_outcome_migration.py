"""The outcomes migration numbers the reports already stored: versions 1, 2, ... of each grant's period."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from grants_shared.db import make_engine, migrate

BEFORE_OUTCOMES = "5c1e0a7d9b21"
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def test_reports_stored_before_become_versions_in_submission_order(database_url: str) -> None:
    migrate(database_url, "reporting", BEFORE_OUTCOMES)
    engine = make_engine(database_url)
    stored = [  # (id, grant, period, status, submitted minutes after T0); inserted out of order on purpose
        ("r3", "g1", 1, "submitted", 30),
        ("r1", "g1", 1, "changes_requested", 0),
        ("r2", "g1", 1, "changes_requested", 10),
        ("r4", "g1", 2, "accepted", 5),
        ("r5", "g2", 1, "submitted", 1),
    ]
    with engine.begin() as db:
        for report_id, grant_id, period, status, minutes in stored:
            db.execute(
                text(
                    "INSERT INTO impact_reports (id, grant_id, organisation_id, period_number, outcomes, narrative,"
                    " status, submitted_by, submitted_at) VALUES (:id, :g, 'o', :p, '{}', 'n', :s, 'alice', :at)"
                ),
                {"id": report_id, "g": grant_id, "p": period, "s": status, "at": T0 + timedelta(minutes=minutes)},
            )
    migrate(database_url, "reporting")
    with engine.connect() as db:
        versions = dict(db.execute(text("SELECT report_id, version FROM report_versions")).all())
    engine.dispose()
    assert versions == {"r1": 1, "r2": 2, "r3": 3, "r4": 1, "r5": 1}
