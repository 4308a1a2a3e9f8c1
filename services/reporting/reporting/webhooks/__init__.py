"""Webhooks and the event feed for integrators: subscriptions, signed deliveries from the streams, SSRF guards."""
