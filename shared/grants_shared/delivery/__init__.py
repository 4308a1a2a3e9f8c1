"""Delivery machinery: consuming streams in batches, parking early events, the outbox relay, the database writer."""
