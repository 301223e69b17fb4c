"""The collision term of the search's lower bound never exceeds the exact assignment cost."""

from __future__ import annotations

import itertools
from types import SimpleNamespace
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bridge_sched._search import _INF, _collision_bound

# per role: a list of (person, cost) options, persons distinct within a role
_role = st.lists(
    st.tuples(st.integers(0, 4), st.integers(0, 20)),
    min_size=1,
    max_size=4,
    unique_by=lambda t: t[0],
)


def _tables(roles: list[list[tuple[int, int]]]) -> tuple[Any, np.ndarray, np.ndarray]:
    """One segment: top picks per role sorted by (cost, person) as the search keeps them."""
    n = len(roles)
    top_pair = np.full((n, n, 1), -1, dtype=np.int32)
    top_cost = np.full((n, n, 1), _INF, dtype=np.int64)
    for r, options in enumerate(roles):
        ranked = sorted(range(len(options)), key=lambda i: (options[i][1], options[i][0]))[:n]
        for j, i in enumerate(ranked):
            top_pair[r, j, 0] = i
            top_cost[r, j, 0] = options[i][1]
    compiled = SimpleNamespace(
        pairs=[[SimpleNamespace(person=p) for p, _c in options] for options in roles]
    )
    return compiled, top_pair, top_cost


@settings(max_examples=400, deadline=None, derandomize=True)
@given(roles=st.lists(_role, min_size=2, max_size=4))
def test_bound_is_below_the_best_distinct_assignment(roles: list[list[tuple[int, int]]]) -> None:
    compiled, top_pair, top_cost = _tables(roles)
    independent = int(top_cost[:, 0, 0].sum())
    bound = independent + int(_collision_bound(compiled, top_pair[:, 0, :], top_cost)[0])
    best = min(
        (
            sum(c for _p, c in choice)
            for choice in itertools.product(*roles)
            if len({p for p, _c in choice}) == len(choice)
        ),
        default=None,
    )
    if best is not None:
        assert bound <= best
    picks = [roles[r][int(top_pair[r, 0, 0])][0] for r in range(len(roles))]
    if len(set(picks)) == len(picks):  # distinct picks: the bound is the exact cost
        assert bound == independent == best


def test_bound_adds_the_smaller_gap_of_a_collision() -> None:
    # both roles prefer person 0; role 0 falls back at +5, role 1 at +2 -> +2
    compiled, top_pair, top_cost = _tables([[(0, 1), (1, 6)], [(0, 1), (2, 3)]])
    assert _collision_bound(compiled, top_pair[:, 0, :], top_cost).tolist() == [2]
