"""Loopback ports for the servers a run or a test starts: distinct, free, and clear of outgoing connections.

A port the kernel hands out for `bind(("127.0.0.1", 0))` comes from the ephemeral range, the same range every outgoing
connection (to Redis, to PostgreSQL, between services) draws from; between choosing it and the server binding it, a
client may take it. Ports are therefore drawn at random from below that range, and all of one call's ports are held
open together so no two are the same.
"""

import random
import socket
from contextlib import ExitStack
from pathlib import Path

EPHEMERAL_RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")
LOWEST = 10000  # below this sit well-known services (PostgreSQL 5432, Redis 6379, the system's own 8001-8005)
MIN_POOL = 2000  # a smaller pool below the ephemeral range falls back to the kernel's choice


def ephemeral_start() -> int:
    """The first port of the kernel's ephemeral range (Linux's default when it cannot be read)."""
    try:
        return int(EPHEMERAL_RANGE_FILE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_ports(count: int) -> list[int]:
    """`count` distinct loopback ports, each free at the moment of return."""
    pool = range(LOWEST, ephemeral_start())
    with ExitStack() as held:
        ports: list[int] = []
        candidates = iter(random.sample(pool, len(pool))) if len(pool) >= MIN_POOL else None
        while len(ports) < count:
            sock = held.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            if _bind(sock, next(candidates) if candidates else 0):
                ports.append(int(sock.getsockname()[1]))
        return ports


def free_port() -> int:
    """One free loopback port (see free_ports)."""
    return free_ports(1)[0]


def _bind(sock: socket.socket, port: int) -> bool:
    try:
        sock.bind(("127.0.0.1", port))
    except OSError:
        return False
    return True
