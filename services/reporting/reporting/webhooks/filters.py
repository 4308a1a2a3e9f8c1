"""Which subscriptions want an event: by type, and by round or neighbourhood (of the event, or of its grant)."""

from dataclasses import dataclass

from grants_shared.events import ALL_EVENTS

EVENT_TYPES: frozenset[str] = frozenset(e.event_type for e in ALL_EVENTS)


@dataclass(frozen=True)
class Scope:
    """The round and neighbourhood an event is about, where known."""

    round_id: str | None = None
    neighbourhood_code: str | None = None


@dataclass(frozen=True)
class Filter:
    """A subscription's filters: an empty tuple lets everything through."""

    event_types: tuple[str, ...] = ()
    round_ids: tuple[str, ...] = ()
    neighbourhood_codes: tuple[str, ...] = ()

    @property
    def scoped(self) -> bool:
        """True when the filter looks at the round or the neighbourhood."""
        return bool(self.round_ids or self.neighbourhood_codes)

    def wants_type(self, event_type: str) -> bool:
        """True when the event's type passes."""
        return _passes(self.event_types, event_type)

    def wants(self, event_type: str, scope: Scope) -> bool:
        """True when the event passes every filter (an unknown round or neighbourhood fails a filter on it)."""
        return (
            _passes(self.event_types, event_type)
            and _passes(self.round_ids, scope.round_id)
            and _passes(self.neighbourhood_codes, scope.neighbourhood_code)
        )


def _passes(allowed: tuple[str, ...], value: str | None) -> bool:
    return not allowed or value in allowed
