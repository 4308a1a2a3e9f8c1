"""Lazily built process-wide objects: settings, engine and session factory (never at import time)."""

from applications.config import Settings
from grants_shared.runtime import ServiceRuntime

runtime = ServiceRuntime(Settings, "applications")  # builds nothing until first use

settings = runtime.settings
engine = runtime.engine
sessions = runtime.sessions
reset = runtime.reset
