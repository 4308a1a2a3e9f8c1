"""Names of consumers in a group."""

import os
import socket


def consumer_name(group: str) -> str:
    """A consumer name unique to this process, so a restarted worker's old entries are claimed, not lost.

    GRANTS_CONSUMER_ID overrides the host-and-pid suffix (the AsyncAPI generator sets it for stable documents).
    """
    return f"{group}-{os.environ.get('GRANTS_CONSUMER_ID') or f'{socket.gethostname()}-{os.getpid()}'}"
