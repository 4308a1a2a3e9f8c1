"""The timeline's sentences for the report schedule's events and for versioned reports."""

from reporting.domain.summaries import summarise


def test_a_reminder_says_which_period_is_due_when() -> None:
    line = summarise("report-reminder-due", {"period_number": 2, "due_on": "2027-07-01", "days_left": 14})

    assert line == "Reminder: the impact report for period 2 is due on 2027-07-01 (14 days left)"


def test_an_overdue_report_says_how_late_it_is() -> None:
    one = summarise("report-overdue", {"period_number": 1, "due_on": "2027-01-01", "days_overdue": 1})
    many = summarise("report-overdue", {"period_number": 3, "due_on": "2027-01-01", "days_overdue": 40})

    assert one == "Impact report for period 1 overdue: due on 2027-01-01, 1 day late"
    assert many == "Impact report for period 3 overdue: due on 2027-01-01, 40 days late"


def test_report_events_name_their_version_when_they_carry_one() -> None:
    second = summarise("report-submitted", {"period_number": 1, "version": 2})
    accepted = summarise("report-accepted", {"period_number": 1, "version": 2})
    unversioned = summarise("report-accepted", {"period_number": 1})

    assert second == "Impact report for period 1 (version 2) submitted"
    assert accepted == "Impact report for period 1 (version 2) accepted"
    assert unversioned == "Impact report for period 1 accepted"
