"""Where the next read of the provider's settlement report starts: never later than our clock (plus a small skew).

The provider hands back a cursor (`until`) with each report. Trusted blindly, a cursor far in the future (a bank
clock gone wrong, or a forged answer) would skip every line until then. So a cursor beyond our clock plus the skew
is logged and clamped to our clock (reading again is safe: lines are stored and applied once), and a stored one
beyond it is not used.
"""

import logging
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from grants_shared.clock import Clock
from grants_shared.clock import as_utc as utc
from payments.adapters.orm import ProviderCursor

log = logging.getLogger(__name__)
DEFAULT_SKEW_S = 120.0


def latest_allowed(clock: Clock, skew_s: float) -> datetime:
    """The latest cursor we accept now: our clock plus the skew."""
    return utc(clock()) + timedelta(seconds=skew_s)


def read_cursor(session: Session, name: str, clock: Clock, skew_s: float = DEFAULT_SKEW_S) -> datetime | None:
    """The stored cursor, or None (read from the start) when there is none or it lies beyond our clock."""
    row = session.get(ProviderCursor, name)
    if row is None or row.position is None:
        return None
    position = utc(row.position)
    if position > latest_allowed(clock, skew_s):
        log.warning("cursor %s is stored at %s, ahead of our clock: not used", name, position.isoformat())
        return None
    return position


def clamp_cursor(until: datetime, name: str, clock: Clock, skew_s: float = DEFAULT_SKEW_S) -> datetime:
    """The provider's cursor if it is not beyond our clock plus the skew; else our clock (and a warning)."""
    until = utc(until)
    if until <= latest_allowed(clock, skew_s):
        return until
    kept = utc(clock())
    log.warning(
        "the provider's cursor %s for %s is beyond our clock plus %.0f s: kept %s instead",
        until.isoformat(),
        name,
        skew_s,
        kept.isoformat(),
    )
    return kept


def keep_cursor(session: Session, name: str, position: datetime) -> None:
    """Store the cursor (already clamped) in the caller's transaction."""
    row = session.get(ProviderCursor, name) or ProviderCursor(name=name)
    row.position = position
    session.add(row)
