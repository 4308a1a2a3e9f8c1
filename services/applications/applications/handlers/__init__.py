"""Use cases: one function each, taking a command and a unit of work; nothing here commits."""
