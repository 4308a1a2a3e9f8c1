"""FastAPI dependencies: the app's settings and session factory (set on ``app.state`` by ``create_app``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from .config import Settings


def _sessions(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.sessions
    return factory


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


Sessions = Annotated[sessionmaker[Session], Depends(_sessions)]
CurrentSettings = Annotated[Settings, Depends(_settings)]
