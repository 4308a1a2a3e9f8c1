"""Unit and property tests of the allocation domain (pure, no I/O)."""
