"""Every table of the applications service; `metadata` is what Alembic migrates."""

from applications.adapters.application_tables import (
    Application,
    ApplicationVersion,
    Assessment,
    Decision,
    GovernanceRules,
    Organisation,
    Partnership,
    PartnershipMember,
)
from applications.adapters.base import Base
from applications.adapters.orm_starter import NeighbourhoodStep, PartnershipAdviser
from applications.adapters.registry_tables import (
    Lsoa21Score,
    LsoaBridge,
    Neighbourhood,
    NeighbourhoodLsoa,
    RegistryVintage,
)

metadata = Base.metadata

__all__ = [
    "Application",
    "ApplicationVersion",
    "Assessment",
    "Base",
    "Decision",
    "GovernanceRules",
    "Lsoa21Score",
    "LsoaBridge",
    "Neighbourhood",
    "NeighbourhoodLsoa",
    "NeighbourhoodStep",
    "Organisation",
    "Partnership",
    "PartnershipAdviser",
    "PartnershipMember",
    "RegistryVintage",
    "metadata",
]
