"""Delivery machinery: consuming streams in batches, parking early events, the outbox relay, the database writer.

Services import what their handlers need from here: `NotReady` (a prerequisite is missing: park me),
`awaiting` (the id it waits for) and `Handler`.
"""

from grants_shared.delivery.messages import Handler, NotReady, Route, awaiting

__all__ = ["Handler", "NotReady", "Route", "awaiting"]
