"""The read side: queries and views returning rows or dicts for the routes, and the ledger checks."""
