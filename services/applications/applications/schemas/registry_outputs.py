"""Output models of the neighbourhood registry and the audit log."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel


class NeighbourhoodOut(BaseModel):
    """A ward of the vintage in force with its headline need measures."""

    code: str
    name: str
    lad_code: str
    lad_name: str
    region_code: str
    region_name: str
    population: int
    lsoa_count: int
    imd_mean_rank: float
    imd_decile: int
    cni_score: float | None
    cni_rank: int | None
    left_behind: bool | None
    vintage: str
    synthetic: bool


class LsoaOut(BaseModel):
    """An LSOA of a ward."""

    code: str
    name: str
    imd_rank: int
    imd_decile: int
    population: int


class NeighbourhoodDetailOut(NeighbourhoodOut):
    """A ward with its LSOAs and every measure the registry holds."""

    lsoa_codes: list[str]
    lsoas: list[LsoaOut]
    imd_rank_min: int
    imd_decile_counts: list[int]
    domain_rank_means: dict[str, float]
    cni_domains: dict[str, Any] | None


class VintageOut(BaseModel):
    """A loaded registry vintage."""

    id: str
    name: str
    inputs_hash: str
    method: str
    synthetic: bool
    has_left_behind_flag: bool
    ward_count: int
    lsoa_count: int
    left_behind_count: int
    loaded_at: datetime
    in_force: bool
    sources: list[Any]


class AuditOut(BaseModel):
    """One audit record: who changed what, when, before and after."""

    id: int
    occurred_at: datetime
    actor: str
    action: str
    entity_type: str
    entity_id: str
    before: Any
    after: Any
