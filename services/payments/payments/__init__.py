"""The payments service: tranche schedules, approvals, payment instructions and the double-entry ledger."""
