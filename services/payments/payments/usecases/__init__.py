"""Use cases by capability: each takes a UnitOfWork, raises grants_shared.errors, returns rows or domain objects."""
