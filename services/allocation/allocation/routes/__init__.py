"""HTTP routes of the allocation service."""
