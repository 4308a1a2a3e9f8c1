"""Progress of an indicator from its baseline towards its target.

Every indicator is measured per report period, so a plan's baseline is its value in a period before the grant and
its target the value a period should reach by the target date; progress compares the latest accepted result with
both. The formula works whichever way the indicator should move (a target below the baseline for lower-is-better).
"""


def progress_pct(baseline: int, target: int, latest: int | None) -> float | None:
    """Percent of the way from baseline to target the latest result has come (may be negative or above 100).

    None when nothing is accepted yet, or when the target equals the baseline (there is no way to go).
    """
    if latest is None or target == baseline:
        return None
    return round(100 * (latest - baseline) / (target - baseline), 1)
