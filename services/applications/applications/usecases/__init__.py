"""Use cases: one module per capability, a function each taking a command and a unit of work; nothing here commits.

They raise `grants_shared.errors` (never an HTTP problem) and return rows; routes build the answers.
"""
