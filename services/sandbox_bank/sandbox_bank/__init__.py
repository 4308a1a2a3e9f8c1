"""Sandbox bank: a small real HTTP payment provider with idempotency keys and asynchronous settlement."""
