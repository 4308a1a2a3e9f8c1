"""Payments domain rules: tranche schedules, the double-entry ledger, its invariants, the tranche lifecycle.

Pure code, no I/O: every amount is an integer number of pence.
"""
