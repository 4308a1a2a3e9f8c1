"""What the report use cases take: commands built by the routes (or a test, or the CLI) from their input."""

from dataclasses import dataclass


@dataclass(frozen=True)
class SubmitReport:
    """A partnership's impact report for one period of its grant."""

    grant_id: str
    period_number: int
    outcomes: dict[str, int]
    narrative: str
