"""Integration tests of the payments service (real databases, a real sandbox bank process)."""
