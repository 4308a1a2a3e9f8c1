"""Payments domain rules: tranche schedules, the double-entry ledger and its invariants, and the lifecycles of
tranches, payment instructions, grants and variations (every stored status change goes through them).

Pure code, no I/O: every amount is an integer number of pence.
"""
