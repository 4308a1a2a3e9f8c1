"""Output models of the neighbourhood registry and the audit log."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


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
    iod2025_imd_score_mean: float | None = Field(
        description="IoD2025 IMD score, unweighted mean over the ward's LSOA21s (null: vintage without IoD2025)"
    )
    vintage: str
    synthetic: bool


class LsoaOut(BaseModel):
    """An LSOA of a ward."""

    code: str
    name: str
    imd_rank: int
    imd_decile: int
    population: int


class Lsoa21Out(BaseModel):
    """A 2021 LSOA with its IoD2025 IMD score, rank and decile as published."""

    code: str
    imd_score: float
    imd_rank: int
    imd_decile: int
    best_fit_of: list[str] = Field(description="The ward's 2011 LSOAs whose best-fit 2021 LSOA this is")


class WardIod2025Out(BaseModel):
    """IoD2025 (2021 LSOAs) brought to the ward through the ONS LSOA 2011 -> 2021 best-fit lookup."""

    method: str
    lsoa21_count: int
    imd_score_mean: float
    domain_score_means: dict[str, float]
    lsoa21s: list[Lsoa21Out]


class NeighbourhoodDetailOut(NeighbourhoodOut):
    """A ward with its LSOAs and every measure the registry holds."""

    lsoa_codes: list[str]
    lsoas: list[LsoaOut]
    imd_rank_min: int
    imd_decile_counts: list[int]
    domain_rank_means: dict[str, float]
    cni_domains: dict[str, Any] | None
    iod2025: WardIod2025Out | None


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
    lsoa21_count: int
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
