"""Column-array inputs of an allocation run: applications and the neighbourhood registry."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

Int64Array = npt.NDArray[np.int64]
BytesArray = npt.NDArray[np.bytes_]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]


_KINDS = {np.int64: "iu", np.float64: "iuf", np.bool_: "b"}


def _column(values: npt.ArrayLike, dtype: type[np.generic], name: str, length: int | None) -> npt.NDArray[Any]:
    """One 1-D column in the wanted dtype (no copy when it already is), checked for kind and length."""
    source = np.asarray(values)
    if source.size and source.dtype.kind not in _KINDS.get(dtype, source.dtype.kind):
        raise ValueError(f"{name} must hold {np.dtype(dtype).name} values, not {source.dtype}")
    array = source.astype(dtype, copy=False)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional")
    if length is not None and len(array) != length:
        raise ValueError(f"{name} has {len(array)} rows, expected {length}")
    return array


def _bytes_column(values: npt.ArrayLike, name: str, length: int | None) -> BytesArray:
    """Fixed-width bytes ids; str sequences are UTF-8 encoded."""
    array = np.asarray(values)
    if array.dtype.kind == "U" or array.dtype == object:
        array = np.char.encode(array.astype(str), "utf-8")
    if array.dtype.kind != "S":
        raise ValueError(f"{name} must be fixed-width bytes or strings")
    result: BytesArray = _column(array, np.bytes_, name, length)
    return result


@dataclass(frozen=True, slots=True, eq=False)
class NeighbourhoodArrays:
    """The registry: one row per neighbourhood, with its deprivation measures and region."""

    code: BytesArray
    imd_rank: Int64Array
    imd_decile: Int64Array
    cni_score: FloatArray
    left_behind: BoolArray
    region: Int64Array
    region_names: tuple[str, ...]

    def __post_init__(self) -> None:
        """Coerce columns to their dtypes and refuse inconsistent data."""
        code = _bytes_column(self.code, "code", None)
        n = len(code)
        set_ = object.__setattr__
        set_(self, "code", code)
        set_(self, "imd_rank", _column(self.imd_rank, np.int64, "imd_rank", n))
        set_(self, "imd_decile", _column(self.imd_decile, np.int64, "imd_decile", n))
        set_(self, "cni_score", _column(self.cni_score, np.float64, "cni_score", n))
        set_(self, "left_behind", _column(self.left_behind, np.bool_, "left_behind", n))
        set_(self, "region", _column(self.region, np.int64, "region", n))
        set_(self, "region_names", tuple(self.region_names))
        if len(np.unique(code)) != n:
            raise ValueError("neighbourhood codes must be unique")
        if len(set(self.region_names)) != len(self.region_names):
            raise ValueError("region names must be unique")
        if not all(name and name.isprintable() for name in self.region_names):
            raise ValueError("region names must be non-empty printable text")
        if n and (self.imd_rank.min() < 1 or self.imd_decile.min() < 1 or self.imd_decile.max() > 10):
            raise ValueError("imd_rank must be >= 1 and imd_decile in 1..10")
        if n and (self.region.min() < 0 or self.region.max() >= len(self.region_names)):
            raise ValueError("region index out of range of region_names")

    def __len__(self) -> int:
        """Number of neighbourhoods."""
        return len(self.code)

    @property
    def cni_present(self) -> BoolArray:
        """True where a Community Needs Index score is held (NaN or negative means missing)."""
        present: BoolArray = np.isfinite(self.cni_score) & (self.cni_score >= 0)
        return present


@dataclass(frozen=True, slots=True, eq=False)
class ApplicationArrays:
    """Applications as columns: unique id, neighbourhood row index and amount requested in pence.

    The region is not a column here: it is the neighbourhood's, so the two can never disagree.
    """

    application_id: BytesArray
    neighbourhood: Int64Array
    requested_pence: Int64Array

    def __post_init__(self) -> None:
        """Coerce columns to their dtypes and refuse impossible requests."""
        ids = _bytes_column(self.application_id, "application_id", None)
        n = len(ids)
        object.__setattr__(self, "application_id", ids)
        object.__setattr__(self, "neighbourhood", _column(self.neighbourhood, np.int64, "neighbourhood", n))
        requested = _column(self.requested_pence, np.int64, "requested_pence", n)
        object.__setattr__(self, "requested_pence", requested)
        if n and requested.min() < 1:
            raise ValueError("requested_pence must be at least 1")

    def __len__(self) -> int:
        """Number of applications."""
        return len(self.application_id)

    @classmethod
    def from_rows(cls, ids: Sequence[str], neighbourhood: Sequence[int], requested: Sequence[int]) -> ApplicationArrays:
        """Build from plain Python sequences (ids as str)."""
        encoded = np.array([i.encode("utf-8") for i in ids], dtype=np.bytes_) if ids else np.zeros(0, "S1")
        return cls(encoded, np.asarray(neighbourhood, np.int64), np.asarray(requested, np.int64))
