"""Log set-up of every process: JSON lines for machines (production), plain text for people (development).

GRANTS_LOG_FORMAT=json|text chooses; by default JSON everywhere but development and test (GRANTS_ENV). Every line
carries the service, the current trace and span ids, and the grant and event ids bound by the consumer and HTTP layers.
"""

import logging
import os
import sys

from opentelemetry import trace
from pythonjsonlogger.json import JsonFormatter

from grants_shared.log_context import event_id_var, grant_id_var

TEXT = "%(asctime)s %(service)s %(levelname)s %(message)s%(about)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"


class ContextFilter(logging.Filter):
    """Adds service, trace_id, span_id, grant_id and event_id to every record."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        context = trace.get_current_span().get_span_context()
        record.service = self.service
        record.trace_id = f"{context.trace_id:032x}" if context.is_valid else None
        record.span_id = f"{context.span_id:016x}" if context.is_valid else None
        grant_id = getattr(record, "grant_id", None) or grant_id_var.get()
        event_id = getattr(record, "event_id", None) or event_id_var.get()
        record.grant_id, record.event_id = grant_id, event_id
        about = [f"{k}={v}" for k, v in (("grant", grant_id), ("event", event_id)) if v]
        record.about = f" [{' '.join(about)}]" if about else ""
        return True


def log_format(environment: str | None = None) -> str:
    """`json` or `text`: GRANTS_LOG_FORMAT if set, else text in development and test, JSON elsewhere."""
    chosen = os.environ.get("GRANTS_LOG_FORMAT", "").strip().lower()
    if chosen in ("json", "text"):
        return chosen
    if chosen:
        raise ValueError(f"GRANTS_LOG_FORMAT must be json or text, not {chosen!r}")
    env = (environment or os.environ.get("GRANTS_ENV", "development")).lower()
    return "text" if env in ("development", "dev", "test") else "json"


def formatter(kind: str) -> logging.Formatter:
    """The formatter for `kind` (json or text)."""
    if kind == "json":
        return JsonFormatter(
            JSON_FIELDS,
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            static_fields={},
            reserved_attrs=[*_RESERVED, "about"],
            timestamp=False,
        )
    return logging.Formatter(TEXT)


_RESERVED = [
    "args", "created", "exc_text", "filename", "funcName", "levelno", "lineno", "module", "msecs", "msg",
    "pathname", "process", "processName", "relativeCreated", "stack_info", "thread", "threadName", "taskName",
]  # fmt: skip


def configure_logging(service: str, *, stream: object = None) -> logging.Handler:
    """Send the root logger's lines to stderr (or `stream`) in the chosen format, with the context fields.

    GRANTS_LOG_LEVEL (default INFO) sets the level; DEBUG adds a line per applied event.
    """
    level = os.environ.get("GRANTS_LOG_LEVEL", "INFO").strip().upper() or "INFO"
    handler = logging.StreamHandler(stream or sys.stderr)  # type: ignore[arg-type]
    handler.setFormatter(formatter(log_format()))
    handler.addFilter(ContextFilter(service))
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "grants_handler", False)]:
        root.removeHandler(old)
    handler.grants_handler = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    return handler
