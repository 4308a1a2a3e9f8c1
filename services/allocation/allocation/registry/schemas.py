"""HTTP output models of the registry allocation holds."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel


class RegistryVintageOut(BaseModel):
    """A registry vintage announced to allocation, and how much of it allocation holds."""

    inputs_hash: str
    vintage: str
    status: Literal["pending", "held", "superseded"]
    in_force: bool
    ward_count: int
    left_behind_count: int
    wards_held: int
    synthetic: bool
    loaded_at: datetime
    fetched_at: datetime | None
    attempts: int
    last_error: str | None


class RegistryOut(BaseModel):
    """Every vintage announced, newest first; runs score need against the one in force once it is held."""

    in_force: RegistryVintageOut | None
    items: list[RegistryVintageOut]
