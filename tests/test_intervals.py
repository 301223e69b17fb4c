"""Unit and property tests of bridge_sched.intervals (half-open integer interval sets).

The property tests compare every operation with a naive model: a set of
integers, where the row ``[a, b)`` stands for ``{a, a+1, ..., b-1}``.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bridge_sched import intervals as iv


def _arr(*rows: tuple[int, int]) -> iv.IntervalSet:
    return np.array(rows, dtype=np.int64).reshape(-1, 2)


def _rows(s: iv.IntervalSet) -> list[tuple[int, int]]:
    return [(int(a), int(b)) for a, b in s]


def _assert_normal(s: iv.IntervalSet) -> None:
    """Shape (n, 2), int64, non-empty rows, sorted, disjoint and non-touching."""
    assert s.ndim == 2
    assert s.shape[1] == 2
    assert s.dtype == np.int64
    rows = _rows(s)
    assert all(a < b for a, b in rows)
    assert all(prev[1] < nxt[0] for prev, nxt in itertools.pairwise(rows))


# --------------------------------------------------------------------------------------
# normalize / from_pairs
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([], []),
        ([(1, 3)], [(1, 3)]),
        ([(5, 7), (1, 3)], [(1, 3), (5, 7)]),
        ([(1, 3), (3, 5)], [(1, 5)]),
        ([(1, 10), (2, 3), (4, 12)], [(1, 12)]),
        ([(3, 3), (5, 4), (6, 8)], [(6, 8)]),
        ([(3, 3), (9, 2)], []),
        ([(1, 2), (1, 2)], [(1, 2)]),
        ([(1, 5), (1, 2)], [(1, 5)]),
        ([(-5, -1), (-2, 0)], [(-5, 0)]),
        ([(0, 2), (4, 6), (2, 4)], [(0, 6)]),
        ([(0, 100), (10, 20), (30, 40), (100, 101)], [(0, 101)]),
    ],
)
def test_normalize(rows: list[tuple[int, int]], expected: list[tuple[int, int]]) -> None:
    """normalize sorts, drops empty or reversed rows and merges overlapping/touching rows."""
    out = iv.normalize(_arr(*rows))
    _assert_normal(out)
    assert _rows(out) == expected


def test_normalize_does_not_mutate_input() -> None:
    """normalize leaves its argument untouched."""
    arr = _arr((5, 7), (1, 3), (2, 4))
    iv.normalize(arr)
    assert _rows(arr) == [(5, 7), (1, 3), (2, 4)]


def test_from_pairs() -> None:
    """from_pairs builds a normalised set from pairs, including an empty iterable."""
    assert iv.from_pairs([]).shape == (0, 2)
    assert _rows(iv.from_pairs([(4, 6), (0, 2), (2, 3)])) == [(0, 3), (4, 6)]
    assert _rows(iv.from_pairs(iter([(7, 7), (1, 2)]))) == [(1, 2)]


def test_empty_constant() -> None:
    """EMPTY is a read-only (0, 2) int64 array."""
    assert iv.EMPTY.shape == (0, 2)
    assert iv.EMPTY.dtype == np.int64
    assert not iv.EMPTY.flags.writeable


# --------------------------------------------------------------------------------------
# union / intersect / difference / complement
# --------------------------------------------------------------------------------------


def test_union() -> None:
    """union merges any number of sets, touching rows included."""
    a = _arr((0, 2), (5, 7))
    b = _arr((2, 5))
    assert _rows(iv.union()) == []
    assert _rows(iv.union(iv.EMPTY, iv.EMPTY)) == []
    assert _rows(iv.union(a)) == [(0, 2), (5, 7)]
    assert _rows(iv.union(a, b)) == [(0, 7)]
    assert _rows(iv.union(a, iv.EMPTY, _arr((10, 12)))) == [(0, 2), (5, 7), (10, 12)]
    assert _rows(iv.union(_arr((0, 3)), _arr((1, 2)), _arr((-4, -3)))) == [(-4, -3), (0, 3)]


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ([(0, 10)], [(2, 3), (5, 7), (9, 12)], [(2, 3), (5, 7), (9, 10)]),
        ([(0, 5)], [(5, 9)], []),
        ([(0, 4), (6, 10)], [(3, 7)], [(3, 4), (6, 7)]),
        ([(0, 4), (6, 10)], [(4, 6)], []),
        ([(0, 4), (6, 10)], [(-10, 20)], [(0, 4), (6, 10)]),
        ([(0, 1), (2, 3), (4, 5)], [(0, 5)], [(0, 1), (2, 3), (4, 5)]),
        ([(0, 10)], [], []),
        ([], [(0, 10)], []),
        ([(-8, -2)], [(-5, 0)], [(-5, -2)]),
    ],
)
def test_intersect(
    a: list[tuple[int, int]], b: list[tuple[int, int]], expected: list[tuple[int, int]]
) -> None:
    """intersect returns the common part of two sets, and is symmetric."""
    sa, sb = iv.from_pairs(a), iv.from_pairs(b)
    out = iv.intersect(sa, sb)
    _assert_normal(out)
    assert _rows(out) == expected
    assert _rows(iv.intersect(sb, sa)) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ([(0, 10)], [(2, 3), (5, 7)], [(0, 2), (3, 5), (7, 10)]),
        ([(0, 10)], [(-5, 20)], []),
        ([(0, 10)], [], [(0, 10)]),
        ([], [(0, 10)], []),
        ([(0, 10)], [(10, 12)], [(0, 10)]),
        ([(0, 10)], [(-3, 0)], [(0, 10)]),
        ([(0, 10)], [(-3, 1), (9, 15)], [(1, 9)]),
        ([(0, 4), (6, 10)], [(3, 7)], [(0, 3), (7, 10)]),
        ([(0, 4), (6, 10)], [(4, 6)], [(0, 4), (6, 10)]),
    ],
)
def test_difference(
    a: list[tuple[int, int]], b: list[tuple[int, int]], expected: list[tuple[int, int]]
) -> None:
    """difference removes b from a; touching b rows remove nothing."""
    out = iv.difference(iv.from_pairs(a), iv.from_pairs(b))
    _assert_normal(out)
    assert _rows(out) == expected


@pytest.mark.parametrize(
    ("a", "lo", "hi", "expected"),
    [
        ([], 0, 10, [(0, 10)]),
        ([(2, 3), (5, 7)], 0, 10, [(0, 2), (3, 5), (7, 10)]),
        ([(-5, 2), (8, 20)], 0, 10, [(2, 8)]),
        ([(0, 10)], 0, 10, []),
        ([(-1, 11)], 0, 10, []),
        ([(0, 3)], 0, 10, [(3, 10)]),
        ([(7, 10)], 0, 10, [(0, 7)]),
        ([(20, 30)], 0, 10, [(0, 10)]),
        ([(0, 5)], 5, 5, []),
        ([], 5, 3, []),
    ],
)
def test_complement(
    a: list[tuple[int, int]], lo: int, hi: int, expected: list[tuple[int, int]]
) -> None:
    """complement is [lo, hi) minus the set, with no empty rows."""
    out = iv.complement(iv.from_pairs(a), lo, hi)
    _assert_normal(out)
    assert _rows(out) == expected


# --------------------------------------------------------------------------------------
# start sets: overlapping_starts / contained_starts / contains_span
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("busy", "duration", "expected"),
    [
        ([(10, 20)], 5, [(6, 20)]),
        ([(10, 20)], 1, [(10, 20)]),
        ([(10, 12), (15, 16)], 3, [(8, 12), (13, 16)]),
        ([(10, 12), (15, 16)], 4, [(7, 16)]),
        ([(10, 11)], 60, [(-49, 11)]),
        ([], 5, []),
    ],
)
def test_overlapping_starts(
    busy: list[tuple[int, int]], duration: int, expected: list[tuple[int, int]]
) -> None:
    """A busy row [a, b) forbids the starts a-d < s < b, i.e. [a-d+1, b)."""
    out = iv.overlapping_starts(iv.from_pairs(busy), duration)
    _assert_normal(out)
    assert _rows(out) == expected


@pytest.mark.parametrize(
    ("allowed", "duration", "expected"),
    [
        ([(0, 10)], 3, [(0, 8)]),
        ([(0, 3)], 3, [(0, 1)]),
        ([(0, 2)], 3, []),
        ([(0, 5), (10, 20)], 5, [(0, 1), (10, 16)]),
        ([(0, 4), (6, 20)], 5, [(6, 16)]),
        ([(0, 10)], 1, [(0, 10)]),
        ([], 5, []),
    ],
)
def test_contained_starts(
    allowed: list[tuple[int, int]], duration: int, expected: list[tuple[int, int]]
) -> None:
    """An allowed row [a, b) admits the starts a <= s <= b-d, i.e. [a, b-d+1)."""
    out = iv.contained_starts(iv.from_pairs(allowed), duration)
    _assert_normal(out)
    assert _rows(out) == expected


def test_contained_starts_of_touching_pairs_merge_first() -> None:
    """Touching allowed intervals merge in from_pairs, so a span may cross the seam."""
    allowed = iv.from_pairs([(0, 5), (5, 10)])
    assert _rows(iv.contained_starts(allowed, 8)) == [(0, 3)]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (0, 5, True),
        (1, 4, True),
        (4, 5, True),
        (7, 10, True),
        (9, 10, True),
        (4, 6, False),
        (5, 7, False),
        (5, 6, False),
        (3, 8, False),
        (8, 11, False),
        (-1, 2, False),
        (10, 12, False),
        (-5, -3, False),
        (12, 14, False),
    ],
)
def test_contains_span(start: int, end: int, expected: bool) -> None:
    """contains_span is true only when [start, end) fits inside a single row."""
    a = iv.from_pairs([(0, 5), (7, 10)])
    assert iv.contains_span(a, start, end) is expected


def test_contains_span_empty_set() -> None:
    """Nothing lies inside the empty set."""
    assert iv.contains_span(iv.EMPTY, 0, 1) is False


# --------------------------------------------------------------------------------------
# Properties against a naive set-of-integers model
# --------------------------------------------------------------------------------------

PROPERTY = settings(max_examples=200, deadline=None, derandomize=True)
LO, HI = -30, 30
UNIVERSE = range(LO - 20, HI + 20)

_raw_pairs = st.lists(st.tuples(st.integers(LO, HI), st.integers(LO, HI)), max_size=8)
_pairs = st.lists(
    st.tuples(st.integers(LO, HI), st.integers(0, 12)).map(lambda t: (t[0], t[0] + t[1])),
    max_size=8,
)
_sets = _pairs.map(iv.from_pairs)
_durations = st.integers(1, 8)


def _naive(s: iv.IntervalSet) -> set[int]:
    out: set[int] = set()
    for a, b in _rows(s):
        out.update(range(a, b))
    return out


@PROPERTY
@given(rows=_raw_pairs)
def test_property_normalize(rows: list[tuple[int, int]]) -> None:
    """normalize keeps exactly the integers covered by the non-empty rows, in normal form."""
    out = iv.normalize(_arr(*rows))
    _assert_normal(out)
    expected: set[int] = set()
    for a, b in rows:
        expected.update(range(a, b))
    assert _naive(out) == expected


@PROPERTY
@given(sets=st.lists(_sets, max_size=4))
def test_property_union(sets: list[iv.IntervalSet]) -> None:
    """union equals the set union."""
    out = iv.union(*sets)
    _assert_normal(out)
    assert _naive(out) == set().union(*(_naive(s) for s in sets))


@PROPERTY
@given(a=_sets, b=_sets)
def test_property_intersect(a: iv.IntervalSet, b: iv.IntervalSet) -> None:
    """intersect equals the set intersection."""
    out = iv.intersect(a, b)
    _assert_normal(out)
    assert _naive(out) == _naive(a) & _naive(b)


@PROPERTY
@given(a=_sets, b=_sets)
def test_property_difference(a: iv.IntervalSet, b: iv.IntervalSet) -> None:
    """difference equals the set difference."""
    out = iv.difference(a, b)
    _assert_normal(out)
    assert _naive(out) == _naive(a) - _naive(b)


@PROPERTY
@given(a=_sets, lo=st.integers(LO - 5, HI + 5), length=st.integers(-3, 40))
def test_property_complement(a: iv.IntervalSet, lo: int, length: int) -> None:
    """complement equals range(lo, hi) minus the set."""
    hi = lo + length
    out = iv.complement(a, lo, hi)
    _assert_normal(out)
    assert _naive(out) == set(range(lo, hi)) - _naive(a)


@PROPERTY
@given(busy=_sets, d=_durations)
def test_property_overlapping_starts(busy: iv.IntervalSet, d: int) -> None:
    """overlapping_starts holds exactly the s whose span [s, s+d) meets a busy integer."""
    out = iv.overlapping_starts(busy, d)
    _assert_normal(out)
    points = _naive(busy)
    assert _naive(out) == {s for s in UNIVERSE if any(s + k in points for k in range(d))}


@PROPERTY
@given(allowed=_sets, d=_durations)
def test_property_contained_starts(allowed: iv.IntervalSet, d: int) -> None:
    """contained_starts holds exactly the s whose span [s, s+d) is entirely allowed."""
    out = iv.contained_starts(allowed, d)
    _assert_normal(out)
    points = _naive(allowed)
    assert _naive(out) == {s for s in UNIVERSE if all(s + k in points for k in range(d))}


@PROPERTY
@given(a=_sets, start=st.integers(LO - 5, HI + 5), length=st.integers(1, 15))
def test_property_contains_span(a: iv.IntervalSet, start: int, length: int) -> None:
    """contains_span is true exactly when every integer of [start, end) is in the set."""
    end = start + length
    points = _naive(a)
    assert iv.contains_span(a, start, end) is all(x in points for x in range(start, end))
    # and it agrees with contained_starts for a span of that length
    assert iv.contains_span(a, start, end) is (start in _naive(iv.contained_starts(a, length)))


@PROPERTY
@given(a=_sets, b=_sets, lo=st.integers(LO - 5, 0), hi=st.integers(0, HI + 5))
def test_property_laws(a: iv.IntervalSet, b: iv.IntervalSet, lo: int, hi: int) -> None:
    """Algebraic laws: commutativity, a = (a & b) | (a - b), complement is an involution on a box."""
    assert _rows(iv.union(a, b)) == _rows(iv.union(b, a))
    assert _rows(iv.intersect(a, b)) == _rows(iv.intersect(b, a))
    assert _rows(iv.union(iv.intersect(a, b), iv.difference(a, b))) == _rows(a)
    box = iv.from_pairs([(lo, hi)])
    assert _rows(iv.complement(iv.complement(a, lo, hi), lo, hi)) == _rows(iv.intersect(a, box))


def test_coverage_counts_overlapping_rows() -> None:
    """Two overlapping rows of one layer count twice; empty and reversed rows count nothing."""
    cuts, counts = iv.coverage(_arr((0, 10), (5, 15), (7, 7), (9, 3)), _arr((12, 20)))
    assert cuts.tolist() == [0, 3, 5, 7, 9, 10, 12, 15, 20]
    assert counts.tolist() == [
        [1, 1, 2, 2, 2, 1, 1, 0],
        [0, 0, 0, 0, 0, 0, 1, 1],
    ]


def test_coverage_of_nothing() -> None:
    cuts, counts = iv.coverage(iv.EMPTY, iv.EMPTY)
    assert cuts.size == 0
    assert counts.shape == (2, 0)


@PROPERTY
@given(layers=st.lists(_raw_pairs, min_size=1, max_size=4))
def test_property_coverage(layers: list[list[tuple[int, int]]]) -> None:
    """Every integer of every piece is covered by exactly the counted number of rows."""
    cuts, counts = iv.coverage(*(_arr(*rows) for rows in layers))
    assert list(cuts) == sorted({x for rows in layers for pair in rows for x in pair})
    assert counts.shape == (len(layers), max(len(cuts) - 1, 0))
    for i in range(len(cuts) - 1):
        for x in range(int(cuts[i]), int(cuts[i + 1])):
            for k, rows in enumerate(layers):
                assert counts[k, i] == sum(1 for a, b in rows if a <= x < b)
