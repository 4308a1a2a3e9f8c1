"""Tables of the neighbourhood registry: vintages, wards (neighbourhoods) and their LSOAs."""

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from applications.adapters.base import Base


class RegistryVintage(Base):
    """One loaded set of registry inputs; exactly one vintage is in force once any is loaded."""

    __tablename__ = "registry_vintages"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str]
    inputs_hash: Mapped[str] = mapped_column(String(64), unique=True)
    method: Mapped[str]
    synthetic: Mapped[bool]
    has_left_behind_flag: Mapped[bool]
    sources: Mapped[list[Any]]
    ward_count: Mapped[int]
    lsoa_count: Mapped[int]
    left_behind_count: Mapped[int]
    lsoa21_count: Mapped[int] = mapped_column(server_default="0")
    loaded_at: Mapped[datetime]
    in_force: Mapped[bool] = mapped_column(index=True)


class Neighbourhood(Base):
    """A ward of one vintage with its IoD measures aggregated from LSOAs and, where held, its CNI."""

    __tablename__ = "neighbourhoods"
    __table_args__ = (
        Index("ix_neighbourhoods_region", "vintage_id", "region_code"),
        Index("ix_neighbourhoods_decile", "vintage_id", "imd_decile"),
    )

    vintage_id: Mapped[str] = mapped_column(String(36), ForeignKey("registry_vintages.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str]
    lad_code: Mapped[str] = mapped_column(String(20))
    lad_name: Mapped[str]
    region_code: Mapped[str] = mapped_column(String(20))
    region_name: Mapped[str]
    population: Mapped[int] = mapped_column(BigInteger)
    lsoa_count: Mapped[int]
    imd_rank_weighted_sum: Mapped[int] = mapped_column(BigInteger)
    imd_rank_min: Mapped[int]
    # Hundredths of the population-weighted mean rank, rounded half-even: exact and sortable in SQL.
    imd_mean_rank_centi: Mapped[int] = mapped_column(BigInteger)
    imd_decile: Mapped[int]
    imd_decile_counts: Mapped[list[Any]]
    domain_rank_means: Mapped[dict[str, Any]]
    # CNI scores are kept as the published decimal text, so nothing is lost to binary floats.
    cni_score: Mapped[str | None] = mapped_column(String(30))
    cni_rank: Mapped[int | None]
    cni_domains: Mapped[dict[str, Any] | None]
    left_behind: Mapped[bool | None]
    # IoD2025 through the LSOA 2011 -> 2021 best-fit bridge (registry/bridge.py); None when the vintage lacks it.
    iod2025_lsoa21_count: Mapped[int | None]
    iod2025_imd_score_mean: Mapped[str | None] = mapped_column(String(30))
    iod2025_domain_score_means: Mapped[dict[str, Any] | None]


class NeighbourhoodLsoa(Base):
    """An LSOA of one vintage and the ward it lies in."""

    __tablename__ = "neighbourhood_lsoas"
    __table_args__ = (Index("ix_neighbourhood_lsoas_ward", "vintage_id", "ward_code"),)

    vintage_id: Mapped[str] = mapped_column(String(36), ForeignKey("registry_vintages.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    ward_code: Mapped[str | None] = mapped_column(String(20))
    name: Mapped[str]
    lad_code: Mapped[str] = mapped_column(String(20))
    imd_rank: Mapped[int]
    imd_decile: Mapped[int]
    population: Mapped[int]


class Lsoa21Score(Base):
    """IoD2025 scores, ranks and deciles of one 2021 LSOA, as published, in one vintage."""

    __tablename__ = "lsoa21_scores"

    vintage_id: Mapped[str] = mapped_column(String(36), ForeignKey("registry_vintages.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    imd_score: Mapped[str] = mapped_column(String(30))
    imd_rank: Mapped[int]
    imd_decile: Mapped[int]
    domains: Mapped[dict[str, Any]]


class LsoaBridge(Base):
    """The ONS best-fit 2021 LSOA of each 2011 LSOA, in one vintage."""

    __tablename__ = "lsoa_bridge"
    __table_args__ = (Index("ix_lsoa_bridge_lsoa21", "vintage_id", "lsoa21_code"),)

    vintage_id: Mapped[str] = mapped_column(String(36), ForeignKey("registry_vintages.id"), primary_key=True)
    lsoa11_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    lsoa21_code: Mapped[str] = mapped_column(String(20))
