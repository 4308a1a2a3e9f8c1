"""A ward as events see it: the need snapshot that travels in ApplicationAssessed."""

from decimal import Decimal

from applications.adapters.orm import Neighbourhood, NeighbourhoodLsoa, RegistryVintage
from grants_shared.events import NeighbourhoodNeed
from grants_shared.events.applications import LsoaRef


def mean_rank(ward: Neighbourhood) -> float:
    """The ward's IMD mean rank, stored in hundredths."""
    return float(Decimal(ward.imd_mean_rank_centi).scaleb(-2))


def cni(ward: Neighbourhood) -> float | None:
    """The ward's Community Needs Index score, when the vintage holds one."""
    return None if ward.cni_score is None else float(Decimal(ward.cni_score))


def neighbourhood_need(
    ward: Neighbourhood, vintage: RegistryVintage, lsoas: list[NeighbourhoodLsoa] | None = None
) -> NeighbourhoodNeed:
    """The snapshot of a ward that travels in ApplicationAssessed."""
    return NeighbourhoodNeed(
        code=ward.code,
        name=ward.name,
        region_code=ward.region_code,
        region_name=ward.region_name,
        population=ward.population,
        imd_mean_rank=mean_rank(ward),
        imd_decile=ward.imd_decile,
        cni_score=cni(ward),
        cni_rank=ward.cni_rank,
        left_behind=ward.left_behind,
        vintage=vintage.name,
        synthetic=vintage.synthetic,
        lad_code=ward.lad_code,
        lad_name=ward.lad_name,
        lsoas=[LsoaRef(code=lsoa.code, name=lsoa.name) for lsoa in lsoas or []],
        domain_rank_means=_floats(ward.domain_rank_means),
        iod2025_imd_score_mean=None if ward.iod2025_imd_score_mean is None else float(ward.iod2025_imd_score_mean),
        iod2025_domain_score_means=_floats(ward.iod2025_domain_score_means),
    )


def _floats(measures: dict[str, object] | None) -> dict[str, float] | None:
    """Decimal texts by name as floats (the event carries JSON numbers)."""
    return None if measures is None else {name: float(Decimal(str(value))) for name, value in measures.items()}
