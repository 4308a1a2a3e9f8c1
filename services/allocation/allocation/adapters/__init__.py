"""Adapters of the allocation service: the database tables and the pool read from them."""
