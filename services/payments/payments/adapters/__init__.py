"""Adapters of the payments service: its tables, the ledger store and the payment provider client."""
