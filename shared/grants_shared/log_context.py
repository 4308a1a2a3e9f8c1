"""What a log line is about (grant id, event id), kept in context variables set by the consumer and HTTP layers."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token

grant_id_var: ContextVar[str | None] = ContextVar("grant_id", default=None)
event_id_var: ContextVar[str | None] = ContextVar("event_id", default=None)


@contextmanager
def bound(*, grant_id: str | None = None, event_id: str | None = None) -> Iterator[None]:
    """Within the block, log lines carry `grant_id` / `event_id` (each only when given)."""
    tokens = []
    if grant_id:
        tokens.append((grant_id_var, grant_id_var.set(grant_id)))
    if event_id:
        tokens.append((event_id_var, event_id_var.set(event_id)))
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


def enter_event(grant_id: str | None, event_id: str) -> tuple[Token[str | None], Token[str | None]]:
    """Bind both fields for one consumed event, without a context manager (a consumer's hot path); see leave_event."""
    return grant_id_var.set(grant_id), event_id_var.set(event_id)


def leave_event(tokens: tuple[Token[str | None], Token[str | None]]) -> None:
    """Undo enter_event."""
    event_id_var.reset(tokens[1])
    grant_id_var.reset(tokens[0])
