"""Tests of the allocation service: consumers, rounds, runs and the HTTP contract, on real databases."""
