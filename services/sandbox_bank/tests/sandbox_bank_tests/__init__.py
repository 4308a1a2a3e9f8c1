"""Tests of the sandbox bank, run against real server processes (a uniquely named package: see importlib mode)."""
