"""Server-side request forgery guard: an endpoint is resolved, every address checked, and the checked one pinned.

Checked at registration and again before every delivery, after resolving and before connecting: the sender then
connects to the very address that was checked (the Host header and TLS server name keep the endpoint's name), so a
name that resolves elsewhere a moment later (DNS rebinding) cannot redirect a delivery.
"""

import asyncio
import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]
"""Host and port to the addresses they resolve to (injectable: tests never look a name up on the internet)."""

CGNAT = ipaddress.ip_network("100.64.0.0/10")


class UnsafeEndpoint(ValueError):
    """The endpoint may not be delivered to; `reason` says why (shown to the integrator)."""


@dataclass(frozen=True)
class Policy:
    """What is allowed: loopback and plain http only in development."""

    allow_loopback: bool = False
    allow_http: bool = False


@dataclass(frozen=True)
class Target:
    """A checked endpoint: its URL, host name, port, and the address to connect to."""

    url: str
    scheme: str
    host: str
    port: int
    address: str


def system_resolver(host: str, port: int) -> list[str]:
    """The host's addresses from the system resolver."""
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)})


def refusal(address: Address, policy: Policy) -> str | None:
    """Why an address may not be a target (None: it may)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return refusal(address.ipv4_mapped, policy)
    if address.is_loopback:
        return None if policy.allow_loopback else "loopback"
    if isinstance(address, ipaddress.IPv4Address) and address in CGNAT:
        return "shared address space (CGNAT)"
    checks = {
        "link-local": address.is_link_local,
        "private": address.is_private,
        "multicast": address.is_multicast,
        "reserved": address.is_reserved,
        "unspecified": address.is_unspecified,
        "not globally routable": not address.is_global,
    }
    return next((name for name, hit in checks.items() if hit), None)


def parse(url: str, policy: Policy) -> tuple[str, str, int]:
    """The scheme, host and port of an endpoint URL, or UnsafeEndpoint."""
    parts = urlsplit(url)
    allowed = {"https", "http"} if policy.allow_http else {"https"}
    if parts.scheme not in allowed:
        raise UnsafeEndpoint(f"the scheme must be {' or '.join(sorted(allowed))}")
    if not parts.hostname or parts.username or parts.password:
        raise UnsafeEndpoint("the URL needs a host and no user information")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeEndpoint("the port is not a number from 1 to 65535") from None
    return parts.scheme, parts.hostname, port


def check_now(url: str, policy: Policy, resolver: Resolver = system_resolver) -> Target:
    """Resolve the endpoint and refuse it if ANY address is unsafe; else the target pinned to the first address."""
    scheme, host, port = parse(url, policy)
    try:
        found = [str(ipaddress.ip_address(host))]
    except ValueError:
        found = _resolved(host, port, resolver)
    for text in found:
        reason = refusal(ipaddress.ip_address(text), policy)
        if reason:
            raise UnsafeEndpoint(f"{host} resolves to {text}: {reason} addresses are refused")
    return Target(url, scheme, host, port, found[0])


def _resolved(host: str, port: int, resolver: Resolver) -> list[str]:
    try:
        found = resolver(host, port)
    except (OSError, UnicodeError) as error:
        raise UnsafeEndpoint(f"{host} does not resolve ({error})") from None
    if not found:
        raise UnsafeEndpoint(f"{host} does not resolve")
    return found


async def check(url: str, policy: Policy, resolver: Resolver = system_resolver) -> Target:
    """`check_now` on a thread (the system resolver blocks)."""
    return await asyncio.to_thread(check_now, url, policy, resolver)
