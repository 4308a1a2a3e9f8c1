"""Read-only access to a running platform's state for the checks: Redis, each service's database, the HTTP APIs."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.pool import NullPool

from grants_cli.soak.injector import platform_streams
from grants_shared.auth import Role, mint_token
from grants_shared.settings import PlatformSettings
from grants_shared.wire import decode_entry


@dataclass
class GroupState:
    """Where one consumer group stands on one stream."""

    stream: str
    group: str
    pending: int
    behind: int  # entries added after the last one delivered to the group

    @property
    def caught_up(self) -> bool:
        """Everything delivered and acknowledged."""
        return self.pending == 0 and self.behind == 0


@dataclass
class Probe:
    """Where to read: Redis, each service's database URL, each HTTP service's base URL (with the bank's)."""

    redis: Any  # redis.Redis; its stubs type replies too loosely to be useful here
    databases: dict[str, str]
    urls: dict[str, str]
    bank_headers: dict[str, str] = field(default_factory=dict)  # the sandbox bank takes its own key, not a token
    _engines: dict[str, Engine] = field(default_factory=dict)

    @contextmanager
    def db(self, service: str) -> Iterator[Connection]:
        """A connection to a service's database (one engine per service, no pooling across forks)."""
        if service not in self._engines:
            self._engines[service] = create_engine(self.databases[service], poolclass=NullPool)
        with self._engines[service].connect() as connection:
            yield connection

    def rows(self, service: str, sql: str) -> list[Any]:
        """The rows of a query on a service's database."""
        with self.db(service) as connection:
            return list(connection.execute(text(sql)))

    def get(self, service: str, path: str, role: Role = Role.FINANCE_OFFICER) -> Any:
        """GET a service's JSON with a token of `role` (the bank's with its key)."""
        headers = self.bank_headers
        if service != "sandbox-bank":
            token = mint_token(PlatformSettings(), subject="soak-checker", roles=[role])
            headers = {"Authorization": f"Bearer {token}"}
        response = httpx.get(self.urls[service] + path, headers=headers, timeout=30)
        response.raise_for_status()
        return response.json()

    def events(self, stream: str) -> dict[str, dict[str, Any]]:
        """The envelopes on a stream by event id (a re-added entry counts once)."""
        seen: dict[str, dict[str, Any]] = {}
        for _, fields in self.redis.xrange(stream):
            envelope, _headers = decode_entry(fields)
            seen.setdefault(envelope["event_id"], envelope)
        return seen

    def groups(self) -> list[GroupState]:
        """Every consumer group of every platform stream, with what it has pending and how far behind it is."""
        states = []
        for stream in platform_streams(self.redis):
            last = _entry_id(self.redis.xinfo_stream(stream)["last-generated-id"])
            for info in self.redis.xinfo_groups(stream):
                delivered = _text(info["last-delivered-id"])
                newer = self.redis.xrange(stream, min=f"({delivered}", max="+") if _entry_id(delivered) < last else []
                states.append(GroupState(stream, _text(info["name"]), int(info["pending"]), len(newer)))
        return states

    def close(self) -> None:
        """Dispose of the database engines."""
        for engine in self._engines.values():
            engine.dispose()


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _entry_id(value: Any) -> tuple[int, int]:
    millis, _, seq = _text(value).partition("-")
    return int(millis), int(seq or 0)
