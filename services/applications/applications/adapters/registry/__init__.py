"""Neighbourhood registry: load official IoD/CNI/ONS files and aggregate LSOAs to wards."""

from .aggregate import WardGeography, aggregate_ward, aggregate_wards, decile_counts, weighted_sum
from .bridge import Iod2025Layer, WardIod2025, mean_3dp
from .csvread import RegistryFileError, reporting_reads
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
from .reference import files_to_read, load_reference_dir
from .synthetic import synthetic_registry

__all__ = [
    "DOMAIN_NAMES",
    "CniMeasures",
    "Domains",
    "Iod2025Layer",
    "Lsoa21Import",
    "Lsoa21Measures",
    "LsoaMeasures",
    "RegistryFileError",
    "RegistryImport",
    "ScoredMeasure",
    "SourceFile",
    "Vintage",
    "WardGeography",
    "WardIod2025",
    "WardMeasures",
    "aggregate_ward",
    "aggregate_wards",
    "decile_counts",
    "files_to_read",
    "load_iod2019",
    "load_iod2025_lsoa21",
    "load_reference_dir",
    "mean_3dp",
    "ratio_2dp",
    "reporting_reads",
    "synthetic_registry",
    "weighted_sum",
]
