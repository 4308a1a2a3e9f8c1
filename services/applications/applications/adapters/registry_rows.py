"""Registry import records turned into rows for bulk insertion (one INSERT per batch, not per object)."""

from typing import Any

from applications.adapters.registry import (
    DOMAIN_NAMES,
    Lsoa21Measures,
    LsoaMeasures,
    RegistryImport,
    WardIod2025,
    WardMeasures,
)
from applications.domain.need import centi_half_even, mean_rank_decile


def _cni_domains(ward: WardMeasures) -> dict[str, Any] | None:
    c = ward.cni
    if c is None:
        return None
    return {
        "civic_assets": {"score": str(c.civic_assets_score), "rank": c.civic_assets_rank},
        "connectedness": {"score": str(c.connectedness_score), "rank": c.connectedness_rank},
        "engaged_community": {"score": str(c.engaged_community_score), "rank": c.engaged_community_rank},
    }


def ward_row(vintage_id: str, ward: WardMeasures, lsoa_total: int, iod: WardIod2025 | None) -> dict[str, Any]:
    """A neighbourhoods row for one ward (with its IoD2025 means when the vintage holds them)."""
    return {
        "vintage_id": vintage_id,
        "code": ward.code,
        "name": ward.name,
        "lad_code": ward.lad_code,
        "lad_name": ward.lad_name,
        "region_code": ward.region_code,
        "region_name": ward.region_name,
        "population": ward.population,
        "lsoa_count": ward.lsoa_count,
        "imd_rank_weighted_sum": ward.imd_rank_weighted_sum,
        "imd_rank_min": ward.imd_rank_min,
        "imd_mean_rank_centi": centi_half_even(ward.imd_rank_weighted_sum, ward.population),
        "imd_decile": mean_rank_decile(ward.imd_rank_weighted_sum, ward.population, lsoa_total),
        "imd_decile_counts": list(ward.imd_decile_counts),
        "domain_rank_means": _named(map(str, ward.domain_rank_means_2dp.values())),
        "cni_score": None if ward.cni is None else str(ward.cni.score),
        "cni_rank": None if ward.cni is None else ward.cni.rank,
        "cni_domains": _cni_domains(ward),
        "left_behind": ward.left_behind,
        "iod2025_lsoa21_count": None if iod is None else len(iod.lsoa21_codes),
        "iod2025_imd_score_mean": None if iod is None else str(iod.imd_score_mean),
        "iod2025_domain_score_means": None if iod is None else _named(map(str, iod.domain_score_means.values())),
    }


def _named(values: Any) -> dict[str, Any]:
    return dict(zip(DOMAIN_NAMES, values, strict=True))


def lsoa_row(vintage_id: str, lsoa: LsoaMeasures) -> dict[str, Any]:
    """A neighbourhood_lsoas row for one LSOA."""
    return {
        "vintage_id": vintage_id,
        "code": lsoa.code,
        "ward_code": lsoa.ward_code,
        "name": lsoa.name,
        "lad_code": lsoa.lad19_code,
        "imd_rank": lsoa.imd_rank,
        "imd_decile": lsoa.imd_decile,
        "population": lsoa.population,
    }


def lsoa21_row(vintage_id: str, lsoa: Lsoa21Measures) -> dict[str, Any]:
    """A lsoa21_scores row: the IMD and each domain's score (as published text), rank and decile."""
    return {
        "vintage_id": vintage_id,
        "code": lsoa.code,
        "imd_score": str(lsoa.imd.score),
        "imd_rank": lsoa.imd.rank,
        "imd_decile": lsoa.imd.decile,
        "domains": _named({"score": str(d.score), "rank": d.rank, "decile": d.decile} for d in lsoa.domains.values()),
    }


def rows_to_store(registry: RegistryImport) -> int:
    """How many rows storing the registry writes (for progress reports)."""
    layer = registry.iod2025
    return len(registry.wards) + len(registry.lsoas) + (0 if layer is None else len(layer.lsoas) + len(layer.bridge))


def is_synthetic(registry: RegistryImport) -> bool:
    """True for the made-up development registry (its method says so), never for official files."""
    return registry.vintage.method.startswith("synthetic")


def sources(registry: RegistryImport) -> list[dict[str, Any]]:
    """The vintage's input files with their hashes and row counts."""
    return [{"name": s.name, "sha256": s.sha256, "rows": s.rows} for s in registry.vintage.sources]
