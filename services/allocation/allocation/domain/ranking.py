"""The ranking sort: need desc, IMD rank asc, neighbourhood code asc, application id asc, as integer keys.

The three neighbourhood keys become the neighbourhood's place in need order (a sort of a few thousand
rows). Byte positions that every application id shares are dropped (comparing the rest orders ids
exactly as comparing them whole). The place and the leading remaining id bytes are packed into one
64-bit lead key, and one np.lexsort over all applications sorts on it. Rows that tie on the lead key
(rare: they share a neighbourhood and the leading bytes of their ids) are then re-sorted among
themselves on the id bytes the lead key left out.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from allocation.domain.arrays import BytesArray, Int64Array, NeighbourhoodArrays

UInt64Array = npt.NDArray[np.uint64]
UInt8Array = npt.NDArray[np.uint8]


def neighbourhood_places(neighbourhoods: NeighbourhoodArrays, need_bp: Int64Array) -> Int64Array:
    """Each neighbourhood's place in need order: need desc, IMD rank asc, code asc (codes are unique)."""
    order = np.lexsort((neighbourhoods.code, neighbourhoods.imd_rank, -need_bp))
    places = np.empty(len(neighbourhoods), dtype=np.int64)
    places[order] = np.arange(len(neighbourhoods))
    return places


def _byte_matrix(ids: BytesArray) -> UInt8Array:
    """The fixed-width ids as an (n, width) byte matrix (a view when the array is contiguous)."""
    matrix: UInt8Array = np.ascontiguousarray(ids).view(np.uint8).reshape(len(ids), ids.dtype.itemsize)
    return matrix


def _pack(key: UInt64Array, columns: UInt8Array) -> UInt64Array:
    """Append byte columns to the low end of key, most significant first (in place)."""
    for column in columns:
        key <<= np.uint64(8)
        key |= column
    return key


def lead_key(ids: BytesArray, place: Int64Array, places: int) -> tuple[UInt64Array, int]:
    """The place, then as many of the leading id bytes that vary as fit in 64 bits; and where they end.

    A byte position every id shares orders nothing, so it is skipped rather than spent on.
    """
    matrix, fit = _byte_matrix(ids), (64 - max(int(places - 1).bit_length(), 1)) // 8
    key, taken, end = place.astype(np.uint64), 0, 0
    for start in range(0, matrix.shape[1], 16):
        block = np.ascontiguousarray(matrix[:, start : start + 16].T)  # a few columns at a time, contiguous
        for offset, column in enumerate(block):
            if taken < fit and len(column) > 1 and (column != column[0]).any():
                _pack(key, column[None, :])
                taken, end = taken + 1, start + offset + 1
        if taken == fit:
            break
    return key, end if taken == fit else matrix.shape[1]


def _break_ties(positions: Int64Array, rest: UInt8Array, tied: npt.NDArray[np.bool_]) -> None:
    """Re-sort, in place, each run of rows that share the lead key, on the id bytes after it."""
    after, before = np.r_[tied, False], np.r_[False, tied]
    members = np.flatnonzero(after | before)
    run = np.cumsum(~before[members])
    rows = positions[members]
    sub = np.ascontiguousarray(rest[rows].T)
    words = [_pack(np.zeros(len(rows), dtype=np.uint64), sub[i : i + 8]) for i in range(0, len(sub), 8)]
    positions[members] = rows[np.lexsort((*reversed(words), run))]


def rank_rows(ids: BytesArray, place: Int64Array, places: int) -> Int64Array:
    """Row order by (place, id bytes); refuses rows equal on both (a duplicate id in one neighbourhood)."""
    lead, end = lead_key(ids, place, places)
    positions: Int64Array = np.lexsort((lead,))
    ranked_lead = lead[positions]
    tied = ranked_lead[1:] == ranked_lead[:-1]
    same = np.flatnonzero(tied)
    if len(same):
        matrix = _byte_matrix(ids)
        if end < matrix.shape[1]:
            _break_ties(positions, matrix[:, end:], tied)
        same = same[(matrix[positions[same]] == matrix[positions[same + 1]]).all(axis=1)]
    if len(same):
        raise ValueError("application ids must be unique")
    return positions
