"""Run a `python -m` step (a migration, the ledger check, a registry load) for a command.

Its output reaches the terminal as it comes, up to a traceback: that is kept back for the error boundary, which turns
it into one line (grants_cli.errors). With --debug the step's stderr passes through untouched.
"""

import codecs
import os
import subprocess
import sys
from typing import IO

from grants_cli.errors import ChildFailed, debugging

MARKER = "Traceback (most recent call last)"


def run_module(*args: str, service: str | None = None) -> None:
    """Run `python ARGS`; raise ChildFailed (with its stderr) when it exits non-zero."""
    if debugging():
        code = subprocess.run([sys.executable, *args]).returncode
        if code:
            raise ChildFailed(args, code, "", service)
        return
    process = subprocess.Popen([sys.executable, *args], stderr=subprocess.PIPE)
    assert process.stderr is not None
    stderr = relay(process.stderr, sys.stderr)
    code = process.wait()
    if code:
        raise ChildFailed(args, code, stderr, service)


def relay(source: IO[bytes], sink: IO[str]) -> str:
    """Copy `source` to `sink` as it arrives until a traceback starts; return everything read."""
    decoder, text, shown = codecs.getincrementaldecoder("utf-8")(errors="replace"), "", 0
    while chunk := os.read(source.fileno(), 65536):
        text += decoder.decode(chunk)
        shown = _show(text, shown, sink)
    text += decoder.decode(b"", final=True)
    if MARKER not in text and shown < len(text):
        sink.write(text[shown:])
        sink.flush()
    return text


def _show(text: str, shown: int, sink: IO[str]) -> int:
    """Write what may be shown of `text` past `shown`; hold back a tail that could be the marker's start."""
    at = text.find(MARKER)
    upto = at if at >= 0 else max(shown, len(text) - len(MARKER))
    if upto > shown:
        sink.write(text[shown:upto])
        sink.flush()
    return max(shown, upto)
