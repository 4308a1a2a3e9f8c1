"""Tests of the applications service (use cases, API, consumer, registry load) on real databases."""
