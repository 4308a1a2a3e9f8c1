"""Registry import records turned into rows for bulk insertion (one INSERT per batch, not per object)."""

from typing import Any

from applications.domain.need import centi_half_even, mean_rank_decile
from applications.registry import DOMAIN_NAMES, LsoaMeasures, RegistryImport, WardMeasures


def _cni_domains(ward: WardMeasures) -> dict[str, Any] | None:
    c = ward.cni
    if c is None:
        return None
    return {
        "civic_assets": {"score": str(c.civic_assets_score), "rank": c.civic_assets_rank},
        "connectedness": {"score": str(c.connectedness_score), "rank": c.connectedness_rank},
        "engaged_community": {"score": str(c.engaged_community_score), "rank": c.engaged_community_rank},
    }


def ward_row(vintage_id: str, ward: WardMeasures, lsoa_total: int) -> dict[str, Any]:
    """A neighbourhoods row for one ward."""
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
        "domain_rank_means": dict(zip(DOMAIN_NAMES, map(str, ward.domain_rank_means_2dp.values()), strict=True)),
        "cni_score": None if ward.cni is None else str(ward.cni.score),
        "cni_rank": None if ward.cni is None else ward.cni.rank,
        "cni_domains": _cni_domains(ward),
        "left_behind": ward.left_behind,
    }


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


def is_synthetic(registry: RegistryImport) -> bool:
    """True for the made-up development registry (its method says so), never for official files."""
    return registry.vintage.method.startswith("synthetic")


def sources(registry: RegistryImport) -> list[dict[str, Any]]:
    """The vintage's input files with their hashes and row counts."""
    return [{"name": s.name, "sha256": s.sha256, "rows": s.rows} for s in registry.vintage.sources]
