"""What the worker reacts to: one module per producing service."""

from applications.consumers.allocation import on_allocation_decided

__all__ = ["on_allocation_decided"]
