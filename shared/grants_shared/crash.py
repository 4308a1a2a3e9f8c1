"""Named crash points: a test asks a process to die (SIGKILL) at one exact place, once."""

import os
import signal
from pathlib import Path

ENV_POINT = "GRANTS_CRASH_AT"
ENV_MARKER_DIR = "GRANTS_CRASH_MARKER_DIR"


def crash_point(name: str) -> None:
    """Die here with SIGKILL if GRANTS_CRASH_AT names this point and it has not fired before."""
    if os.environ.get(ENV_POINT) != name:
        return
    marker = Path(os.environ.get(ENV_MARKER_DIR, "var")) / f"crash-{name}.fired"
    if marker.exists():
        return
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(str(os.getpid()))
    os.kill(os.getpid(), signal.SIGKILL)
