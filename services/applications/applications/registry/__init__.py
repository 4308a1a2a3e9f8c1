"""Neighbourhood registry: load official IoD/CNI/ONS files and aggregate LSOAs to wards."""

from .aggregate import WardGeography, aggregate_ward, aggregate_wards, decile_counts, weighted_sum
from .csvread import RegistryFileError
from .domains import DOMAIN_NAMES, Domains, ratio_2dp
from .model import (
    CniMeasures,
    Lsoa21Import,
    Lsoa21Measures,
    LsoaMeasures,
    RegistryImport,
    ScoredMeasure,
    SourceFile,
    Vintage,
    WardMeasures,
)
from .official import load_iod2019, load_iod2025_lsoa21
from .synthetic import synthetic_registry

__all__ = [
    "DOMAIN_NAMES",
    "CniMeasures",
    "Domains",
    "Lsoa21Import",
    "Lsoa21Measures",
    "LsoaMeasures",
    "RegistryFileError",
    "RegistryImport",
    "ScoredMeasure",
    "SourceFile",
    "Vintage",
    "WardGeography",
    "WardMeasures",
    "aggregate_ward",
    "aggregate_wards",
    "decile_counts",
    "load_iod2019",
    "load_iod2025_lsoa21",
    "ratio_2dp",
    "synthetic_registry",
    "weighted_sum",
]
