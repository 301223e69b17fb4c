"""Vectorised integer interval arithmetic on half-open ``[start, end)`` sets.

A *set* is a NumPy ``int64`` array of shape ``(n, 2)``, sorted, with disjoint
and non-touching rows (the *normal form* produced by :func:`normalize`).
Units are whole minutes from a request-local origin.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

__all__ = [
    "EMPTY",
    "IntervalSet",
    "complement",
    "contained_starts",
    "contains_span",
    "coverage",
    "difference",
    "from_pairs",
    "grid_count",
    "intersect",
    "normalize",
    "overlapping_starts",
    "union",
]

IntervalSet = npt.NDArray[np.int64]

EMPTY: IntervalSet = np.zeros((0, 2), dtype=np.int64)
EMPTY.setflags(write=False)


def from_pairs(pairs: Iterable[tuple[int, int]]) -> IntervalSet:
    """Build a normalised set from ``(start, end)`` pairs (empty pairs dropped)."""
    arr = np.array(list(pairs), dtype=np.int64).reshape(-1, 2)
    return normalize(arr)


def normalize(arr: IntervalSet) -> IntervalSet:
    """Sort, drop empty rows and merge overlapping or touching rows."""
    if arr.size == 0:
        return EMPTY
    arr = arr[arr[:, 1] > arr[:, 0]]
    if arr.shape[0] == 0:
        return EMPTY
    arr = arr[np.lexsort((arr[:, 1], arr[:, 0]))]
    starts = arr[:, 0]
    ends = np.maximum.accumulate(arr[:, 1])
    # a new block starts where the start is beyond every earlier end
    new_block = np.empty(len(starts), dtype=bool)
    new_block[0] = True
    new_block[1:] = starts[1:] > ends[:-1]
    block_starts = starts[new_block]
    last_in_block = np.append(np.flatnonzero(new_block)[1:] - 1, len(starts) - 1)
    return np.stack([block_starts, ends[last_in_block]], axis=1)


def union(*sets: IntervalSet) -> IntervalSet:
    """Union of normalised sets."""
    non_empty = [s for s in sets if s.size]
    if not non_empty:
        return EMPTY
    return normalize(np.concatenate(non_empty))


def complement(a: IntervalSet, lo: int, hi: int) -> IntervalSet:
    """``[lo, hi)`` minus ``a``."""
    if hi <= lo:
        return EMPTY
    a = intersect(a, np.array([[lo, hi]], dtype=np.int64))
    if a.size == 0:
        return np.array([[lo, hi]], dtype=np.int64)
    starts = np.concatenate([[lo], a[:, 1]])
    ends = np.concatenate([a[:, 0], [hi]])
    out = np.stack([starts, ends], axis=1)
    return out[out[:, 1] > out[:, 0]]


def intersect(a: IntervalSet, b: IntervalSet) -> IntervalSet:
    """Intersection of two normalised sets (a linear sweep, vectorised)."""
    if a.size == 0 or b.size == 0:
        return EMPTY
    # For each row of a, the rows of b that can overlap it form a contiguous range.
    lo = np.searchsorted(b[:, 1], a[:, 0], side="right")
    hi = np.searchsorted(b[:, 0], a[:, 1], side="left")
    counts = np.maximum(hi - lo, 0)
    if counts.sum() == 0:
        return EMPTY
    a_idx = np.repeat(np.arange(len(a)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    b_idx = np.repeat(lo, counts) + offsets
    starts = np.maximum(a[a_idx, 0], b[b_idx, 0])
    ends = np.minimum(a[a_idx, 1], b[b_idx, 1])
    out = np.stack([starts, ends], axis=1)
    return normalize(out[ends > starts])


def difference(a: IntervalSet, b: IntervalSet) -> IntervalSet:
    """``a`` minus ``b``."""
    if a.size == 0 or b.size == 0:
        return a
    lo = int(a[0, 0])
    hi = int(a[-1, 1])
    return intersect(a, complement(b, lo, hi))


def overlapping_starts(busy: IntervalSet, duration: int) -> IntervalSet:
    """Starts ``s`` whose span ``[s, s+duration)`` overlaps ``busy``: ``(a-d, b)``."""
    if busy.size == 0:
        return EMPTY
    return normalize(np.stack([busy[:, 0] - duration + 1, busy[:, 1]], axis=1))


def contained_starts(allowed: IntervalSet, duration: int) -> IntervalSet:
    """Starts ``s`` whose span ``[s, s+duration)`` lies inside one row of ``allowed``."""
    if allowed.size == 0:
        return EMPTY
    return normalize(np.stack([allowed[:, 0], allowed[:, 1] - duration + 1], axis=1))


def contains_span(a: IntervalSet, start: int, end: int) -> bool:
    """Whether ``[start, end)`` lies inside one row of the normalised set ``a``."""
    if a.size == 0:
        return False
    i = int(np.searchsorted(a[:, 0], start, side="right")) - 1
    return i >= 0 and int(a[i, 1]) >= end


def grid_count(starts: IntervalSet, step: int) -> int:
    """How many multiples of ``step`` lie in the normalised set ``starts``."""
    if starts.size == 0:
        return 0
    first = -(-starts[:, 0] // step)
    last = (starts[:, 1] - 1) // step
    return int(np.maximum(last - first + 1, 0).sum())


def coverage(*layers: IntervalSet) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Cut the line at every row end of ``layers`` and count the covering rows per layer.

    Rows may overlap and need not be sorted (rows with ``end <= start`` cover
    nothing). One sort for all layers: this is how many sets are combined at
    once without normalising each of them.

    Returns
    -------
    cuts
        Sorted distinct endpoints, shape ``(m,)``; piece ``i`` is
        ``[cuts[i], cuts[i + 1])``.
    counts
        Shape ``(len(layers), m - 1)``: ``counts[k, i]`` rows of layer ``k``
        contain piece ``i``.
    """
    points = np.concatenate([layer[:, :2].ravel() for layer in layers])
    cuts, inverse = np.unique(points, return_inverse=True)
    m = len(cuts)
    counts = np.zeros((len(layers), max(m - 1, 0)), dtype=np.int64)
    pos = 0
    for k, layer in enumerate(layers):
        n = len(layer)
        if n:
            idx = inverse[pos : pos + 2 * n].reshape(n, 2)
            valid = idx[:, 1] > idx[:, 0]
            delta = np.bincount(idx[valid, 0], minlength=m) - np.bincount(
                idx[valid, 1], minlength=m
            )
            counts[k] = np.cumsum(delta)[:-1]
        pos += 2 * n
    return cuts, counts
