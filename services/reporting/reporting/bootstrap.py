"""The process-wide settings, engine and session factory, built lazily on first use (never at import)."""

from grants_shared.runtime import ServiceRuntime
from reporting.config import Settings

runtime = ServiceRuntime(Settings, "reporting")  # builds nothing until first use

settings = runtime.settings
engine = runtime.engine
sessions = runtime.sessions
reset = runtime.reset
