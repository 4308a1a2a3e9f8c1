"""SHA-256 over canonical byte forms of a run's inputs and decisions, independent of arrival order.

Rows are hashed in a canonical order (neighbourhood code, application id, amount) and neighbourhoods
in code order, with regions named rather than numbered, so only the content counts.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np

from allocation.domain.arrays import ApplicationArrays, BytesArray, Int64Array, NeighbourhoodArrays
from allocation.domain.policy import Policy
from allocation.domain.ranking import rank_rows
from allocation.domain.result import AllocationResult


def _narrowest(ids: BytesArray) -> BytesArray:
    """Byte strings at the narrowest width that holds them, so dtype padding never changes a hash."""
    width = int(np.strings.str_len(ids).max()) if len(ids) else 1
    narrowed: BytesArray = ids.astype(f"S{max(width, 1)}")
    return narrowed


def _code_ranks(neighbourhoods: NeighbourhoodArrays) -> Int64Array:
    """Each neighbourhood's place in code order: the canonical way to name it."""
    ranks = np.empty(len(neighbourhoods), dtype=np.int64)
    ranks[np.argsort(neighbourhoods.code, kind="stable")] = np.arange(len(neighbourhoods))
    return ranks


def _application_order(applications: ApplicationArrays, code_rank: Int64Array) -> Int64Array:
    """Canonical row order: neighbourhood code, then application id, then amount requested."""
    place = code_rank[applications.neighbourhood]
    try:
        return rank_rows(applications.application_id, place, len(code_rank))
    except ValueError:  # an id repeated within a neighbourhood: the full (slower) sort still settles it
        order: Int64Array = np.lexsort((applications.requested_pence, applications.application_id, place))
        return order


def _update(digest: hashlib._Hash, label: str, *columns: np.ndarray) -> None:
    """Feed a labelled block of little-endian columns; labels and lengths keep blocks unambiguous."""
    digest.update(f"{label}:{len(columns[0]) if columns else 0}\n".encode())
    for column in columns:
        data = column if column.dtype.kind == "S" else column.astype("<i8")
        digest.update(f"{data.dtype.str}\n".encode())
        digest.update(np.ascontiguousarray(data).tobytes())


def inputs_hash(applications: ApplicationArrays, neighbourhoods: NeighbourhoodArrays, policy: Policy) -> str:
    """Hex SHA-256 of policy, registry and applications in canonical order (arrival order does not matter)."""
    digest = hashlib.sha256(b"grants.allocation.inputs.v1\n")
    digest.update(policy.canonical_json() + b"\n")
    by_code = np.argsort(neighbourhoods.code, kind="stable")
    names = sorted(neighbourhoods.region_names)
    renumber = np.array([names.index(name) for name in neighbourhoods.region_names], dtype=np.int64)
    digest.update(json.dumps(names, ensure_ascii=False).encode() + b"\n")
    cni = np.where(neighbourhoods.cni_present, neighbourhoods.cni_score + 0.0, -1.0)  # one form of missing
    _update(
        digest,
        "neighbourhoods",
        _narrowest(neighbourhoods.code)[by_code],
        neighbourhoods.imd_rank[by_code],
        neighbourhoods.imd_decile[by_code],
        cni[by_code].astype("<f8").view("<i8"),
        neighbourhoods.left_behind[by_code],
        renumber[neighbourhoods.region][by_code],
    )
    code_rank = _code_ranks(neighbourhoods)
    order = _application_order(applications, code_rank)
    _update(
        digest,
        "applications",
        _narrowest(applications.application_id)[order],
        code_rank[applications.neighbourhood][order],
        applications.requested_pence[order],
    )
    return digest.hexdigest()


def decisions_digest(result: AllocationResult) -> str:
    """Hex SHA-256 of every decision in canonical application order: equal digests, identical decisions."""
    digest = hashlib.sha256(b"grants.allocation.decisions.v1\n")
    applications = result.applications
    order = _application_order(applications, _code_ranks(result.neighbourhoods))
    _update(
        digest,
        "decisions",
        _narrowest(applications.application_id)[order],
        result.rank[order],
        result.need_bp[order],
        result.award_pence[order],
        result.awarded_pence[order],
        result.outcome[order],
        result.constraint[order],
        result.budget_left_pence[order],
    )
    return digest.hexdigest()
