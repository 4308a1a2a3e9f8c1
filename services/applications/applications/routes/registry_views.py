"""Neighbourhoods and vintages as clients see them: headline measures and details."""

from decimal import Decimal

from applications.adapters.orm import Lsoa21Score, Neighbourhood, NeighbourhoodLsoa, RegistryVintage
from applications.adapters.registry.bridge import METHOD_BRIDGE
from applications.read.need import cni, mean_rank
from applications.routes.schemas.registry_outputs import (
    Lsoa21Out,
    LsoaOut,
    NeighbourhoodDetailOut,
    NeighbourhoodOut,
    VintageOut,
    WardIod2025Out,
)
from grants_shared.clock import as_utc


def neighbourhood_out(ward: Neighbourhood, vintage: RegistryVintage) -> NeighbourhoodOut:
    """A ward's headline measures."""
    return NeighbourhoodOut(
        code=ward.code,
        name=ward.name,
        lad_code=ward.lad_code,
        lad_name=ward.lad_name,
        region_code=ward.region_code,
        region_name=ward.region_name,
        population=ward.population,
        lsoa_count=ward.lsoa_count,
        imd_mean_rank=mean_rank(ward),
        imd_decile=ward.imd_decile,
        cni_score=cni(ward),
        cni_rank=ward.cni_rank,
        left_behind=ward.left_behind,
        iod2025_imd_score_mean=None if ward.iod2025_imd_score_mean is None else float(ward.iod2025_imd_score_mean),
        vintage=vintage.name,
        synthetic=vintage.synthetic,
    )


def ward_iod2025(ward: Neighbourhood, lsoa21s: list[tuple[Lsoa21Score, list[str]]]) -> WardIod2025Out | None:
    """The ward's IoD2025 means and the LSOA21s they are taken over (None when the vintage has no IoD2025)."""
    if ward.iod2025_imd_score_mean is None or ward.iod2025_domain_score_means is None:
        return None
    return WardIod2025Out(
        method=METHOD_BRIDGE,
        lsoa21_count=len(lsoa21s),
        imd_score_mean=float(Decimal(ward.iod2025_imd_score_mean)),
        domain_score_means={k: float(Decimal(v)) for k, v in ward.iod2025_domain_score_means.items()},
        lsoa21s=[
            Lsoa21Out(
                code=s.code,
                imd_score=float(Decimal(s.imd_score)),
                imd_rank=s.imd_rank,
                imd_decile=s.imd_decile,
                best_fit_of=fits,
            )
            for s, fits in lsoa21s
        ],
    )


def neighbourhood_detail(
    ward: Neighbourhood,
    vintage: RegistryVintage,
    lsoas: list[NeighbourhoodLsoa],
    lsoa21s: list[tuple[Lsoa21Score, list[str]]],
) -> NeighbourhoodDetailOut:
    """A ward with its LSOAs and every measure."""
    return NeighbourhoodDetailOut(
        **neighbourhood_out(ward, vintage).model_dump(),
        lsoa_codes=[lsoa.code for lsoa in lsoas],
        lsoas=[
            LsoaOut(code=x.code, name=x.name, imd_rank=x.imd_rank, imd_decile=x.imd_decile, population=x.population)
            for x in lsoas
        ],
        imd_rank_min=ward.imd_rank_min,
        imd_decile_counts=list(ward.imd_decile_counts),
        domain_rank_means={k: float(Decimal(v)) for k, v in ward.domain_rank_means.items()},
        cni_domains=ward.cni_domains,
        iod2025=ward_iod2025(ward, lsoa21s),
    )


def vintage_out(v: RegistryVintage) -> VintageOut:
    """A loaded vintage."""
    return VintageOut(
        id=v.id,
        name=v.name,
        inputs_hash=v.inputs_hash,
        method=v.method,
        synthetic=v.synthetic,
        has_left_behind_flag=v.has_left_behind_flag,
        ward_count=v.ward_count,
        lsoa_count=v.lsoa_count,
        left_behind_count=v.left_behind_count,
        lsoa21_count=v.lsoa21_count,
        loaded_at=as_utc(v.loaded_at),
        in_force=v.in_force,
        sources=list(v.sources),
    )
