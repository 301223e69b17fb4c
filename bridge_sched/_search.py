"""Best-first search over candidate segments, CP-SAT only where people collide.

1. Cut the feasible starts into *segments*: maximal ranges in which every
   role's candidate set and every candidate's attributes are constant.
2. For every segment, a lower bound of its key: each role takes its cheapest
   eligible candidate independently (smallest id on ties). When those picks are
   distinct people the bound is exact (see ``docs/design.md``).
3. Visit segments in key order; where picks collide, CP-SAT finds the exact
   best assignment and the segment is re-queued with its exact key.
4. Emit starts in key order, keeping suggestions ``separation`` apart.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from . import intervals as iv
from ._compile import OUT_OF_HOURS, TENTATIVE, Compiled, Flags
from ._cpsat import AssignmentProblem, solve_assignment

__all__ = ["Found", "SearchOutcome", "Weights", "search"]

_INF = np.iinfo(np.int64).max // 4

_Cache = dict[tuple[tuple[tuple[int, int], ...], ...], tuple[int, "tuple[int, ...] | None"]]
"""Exact answers of the assignment, keyed by the pruned (person, cost) options per role."""


@dataclass(frozen=True)
class Weights:
    """Weights that fold the lexicographic criteria into one integer."""

    approval: int
    substitute: int
    depth: int

    @staticmethod
    def for_problem(compiled: Compiled) -> Weights:
        roles = max(1, len(compiled.roles))
        pool = max((len(r.candidates) for r in compiled.roles), default=1)
        depth = roles + 1  # above the largest possible tentative count
        substitute = depth * (roles * (pool - 1) + 1)
        approval = substitute * (roles + 1)
        return Weights(approval, substitute, depth)


@dataclass(frozen=True)
class Found:
    """One selected start, with its assignment (person index per role)."""

    start: int
    people: tuple[int, ...]
    positions: tuple[int, ...]
    codes: tuple[int, ...]
    customer_outside: bool
    preference: int
    cost: int


@dataclass(frozen=True)
class SearchOutcome:
    """Selected starts plus deterministic effort counters."""

    found: tuple[Found, ...]
    grid_starts: int
    segments: int
    examined: int
    cpsat_calls: int
    cpsat_branches: int


def _pair_cost(
    compiled: Compiled, w: Weights, position: int, code: npt.NDArray[np.int8]
) -> npt.NDArray[np.int64]:
    policy = compiled.request.policy
    base = 0
    if position > 0:
        base += w.substitute + position * w.depth
        if policy.substitution == "needs_approval":
            base += w.approval
    cost = np.full(code.shape, base, dtype=np.int64)
    cost += (code & TENTATIVE).astype(np.int64)
    if policy.out_of_hours != "allow":
        cost += np.where(code & OUT_OF_HOURS, w.approval, 0)
    cost[code < 0] = _INF
    return cost


def _member(s: iv.IntervalSet | None, points: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    if s is None:
        return np.ones(points.shape, dtype=bool)
    if s.size == 0:
        return np.zeros(points.shape, dtype=bool)
    idx = np.searchsorted(s[:, 0], points, side="right") - 1
    ok = idx >= 0
    res = np.zeros(points.shape, dtype=bool)
    res[ok] = s[idx[ok], 1] > points[ok]
    return res


def search(
    compiled: Compiled, limit: int, flags: Flags | None = None, seed: int = 0
) -> SearchOutcome:
    """Find up to ``limit`` starts in key order (see ``docs/semantics.md``)."""
    flags = flags or Flags()
    step = compiled.step
    sep = compiled.request.meeting.separation
    w = Weights.for_problem(compiled)
    grid_starts = iv.grid_count(compiled.window_starts, step)

    # --- 1. segments -------------------------------------------------------
    pieces = [p.bounds for row in compiled.pairs for p in row if len(p.codes)]
    extra = [
        s.ravel() for s in (compiled.customer_policy_ok, compiled.preferred_starts) if s is not None
    ]
    if not pieces:
        return SearchOutcome((), grid_starts, 0, 0, 0, 0)
    points = np.unique(np.concatenate(pieces + extra))
    left, right = points[:-1], points[1:]
    first_grid = -(-left // step) * step
    has_grid = first_grid < right
    left, right, first_grid = left[has_grid], right[has_grid], first_grid[has_grid]

    # --- 2. per-role cheapest candidates (independent picks) ----------------
    # Per role and segment, the ``keep`` cheapest candidates in (cost, id) order;
    # the first is the independent pick, the rest feed the exact solve.
    n_seg = len(left)
    n_roles = len(compiled.pairs)
    keep = n_roles
    top_pair = np.full((n_roles, keep, n_seg), -1, dtype=np.int32)
    top_cost = np.full((n_roles, keep, n_seg), _INF, dtype=np.int64)
    for r, row in enumerate(compiled.pairs):
        by_id = sorted(range(len(row)), key=lambda i: compiled.people[row[i].person].id)
        costs = np.stack(
            [_pair_cost(compiled, w, row[i].position, row[i].codes_at(left)) for i in by_id]
        )
        k = min(keep, len(row))
        ranked = np.argsort(costs, axis=0, kind="stable")[:k]
        top_pair[r, :k] = np.asarray(by_id, dtype=np.int32)[ranked]
        top_cost[r, :k] = np.take_along_axis(costs, ranked, axis=0)
    valid = (top_cost[:, 0, :] < _INF).all(axis=0)
    lower = np.where(valid, np.where(top_cost[:, 0, :] < _INF, top_cost[:, 0, :], 0).sum(axis=0), 0)
    picks = top_pair[:, 0, :]
    if not flags.distinct:
        lower += _collision_bound(compiled, picks, top_cost)
    outside = ~_member(compiled.customer_policy_ok, left)
    # outside customer policy is only reachable when it needs approval (forbid
    # removed those starts in compile, unless a diagnostic pass relaxed it)
    customer_extra = np.where(outside, w.approval, 0).astype(np.int64)
    lower += customer_extra
    preference = (~_member(compiled.preferred_starts, left)).astype(np.int64)
    seg_ids = np.flatnonzero(valid)
    order = seg_ids[np.lexsort((first_grid[seg_ids], preference[seg_ids], lower[seg_ids]))]

    # --- 3./4. best-first with lazy exact keys -------------------------------
    found: list[Found] = []
    chosen: list[int] = []
    heap: list[tuple[int, int, int, int, tuple[int, ...]]] = []
    calls = branches = examined = 0
    cache: _Cache = {}
    i = 0
    while len(found) < limit and (i < len(order) or heap):
        take_heap = False
        if heap:
            if i >= len(order):
                take_heap = True
            else:
                j = int(order[i])
                take_heap = heap[0][:3] < (int(lower[j]), int(preference[j]), int(first_grid[j]))
        if take_heap:
            cost, pref, _start, seg, choice = heapq.heappop(heap)
        else:
            seg = int(order[i])
            i += 1
            examined += 1
            people = [
                int(compiled.pairs[r][int(picks[r, seg])].person)
                for r in range(len(compiled.pairs))
            ]
            if flags.distinct or len(set(people)) == len(people):
                cost, pref = int(lower[seg]), int(preference[seg])
                choice = tuple(int(picks[r, seg]) for r in range(len(compiled.pairs)))
            else:
                exact = _exact(
                    compiled, seg, top_pair, top_cost, int(customer_extra[seg]), seed, cache
                )
                calls += exact[2]
                branches += exact[3]
                if exact[1] is None:
                    continue
                cost, pref = exact[0], int(preference[seg])
                choice = exact[1]
                if cost > int(lower[seg]):
                    heapq.heappush(heap, (cost, pref, int(first_grid[seg]), seg, choice))
                    continue
        _emit(
            compiled, seg, choice, cost, pref, left, right, outside, sep, step, limit, found, chosen
        )
    return SearchOutcome(tuple(found), grid_starts, len(seg_ids), examined, calls, branches)


def _collision_bound(
    compiled: Compiled, picks: npt.NDArray[np.int32], top_cost: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """What colliding independent picks must at least add to the bound, per segment.

    When ``k`` roles pick the same person, at least ``k - 1`` of them take
    another candidate, which costs each at least its gap to its second
    cheapest; the ``k - 1`` smallest gaps are a valid addition (exactly 0 when
    the picks are distinct).
    """
    n_roles = len(compiled.pairs)
    if n_roles < 2 or picks.shape[1] == 0:
        return np.zeros(picks.shape[1], dtype=np.int64)
    cap = _INF // (n_roles + 1)
    person = np.stack(
        [
            np.asarray([p.person for p in row], dtype=np.int64)[picks[r]]
            for r, row in enumerate(compiled.pairs)
        ]
    )
    first, second = top_cost[:, 0, :], top_cost[:, 1, :]
    gap = np.where((first < _INF) & (second < _INF), second - first, cap)
    gap = np.minimum(gap, cap)
    order = np.lexsort((gap, person), axis=0)
    person = np.take_along_axis(person, order, axis=0)
    gap = np.take_along_axis(gap, order, axis=0)
    not_last = person[:-1] == person[1:]  # sorted by gap within a person: all but the largest
    extra: npt.NDArray[np.int64] = np.where(not_last, gap[:-1], 0).sum(axis=0)
    return extra


def _exact(
    compiled: Compiled,
    seg: int,
    top_pair: npt.NDArray[np.int32],
    top_cost: npt.NDArray[np.int64],
    extra: int,
    seed: int,
    cache: _Cache,
) -> tuple[int, tuple[int, ...] | None, int, int]:
    """Exact best assignment at segment ``seg`` (CP-SAT), with pruning and a cache.

    Each role keeps only its ``len(roles)`` cheapest candidates (ties by id): an
    optimal assignment never needs more, because one of them is always free to
    swap in at no greater cost and no greater id. Segments whose pruned option
    lists are identical share one CP-SAT answer.
    """
    pruned: list[list[tuple[int, int, int]]] = []  # (pair index, person, cost), by id
    for r, row in enumerate(compiled.pairs):
        elig = [
            (int(k), row[int(k)].person, int(c))
            for k, c in zip(top_pair[r, :, seg], top_cost[r, :, seg], strict=True)
            if c < _INF
        ]
        elig.sort(key=lambda t: compiled.people[t[1]].id)
        pruned.append(elig)
    signature = tuple(tuple((person, cost) for _k, person, cost in row) for row in pruned)
    calls = branches = 0
    if signature in cache:
        cost, picked = cache[signature]
    else:
        options = tuple(
            tuple((person, cost, rank) for rank, (_k, person, cost) in enumerate(row))
            for row in pruned
        )
        sol = solve_assignment(AssignmentProblem(options, distinct=True), seed=seed)
        calls, branches = sol.calls, sol.branches
        cost, picked = sol.cost, sol.choice
        cache[signature] = (cost, picked)
    if picked is None:
        return 0, None, calls, branches
    choice = tuple(pruned[r][c][0] for r, c in enumerate(picked))
    return cost + extra, choice, calls, branches


def _emit(
    compiled: Compiled,
    seg: int,
    choice: tuple[int, ...],
    cost: int,
    pref: int,
    left: npt.NDArray[np.int64],
    right: npt.NDArray[np.int64],
    outside: npt.NDArray[np.bool_],
    sep: int,
    step: int,
    limit: int,
    found: list[Found],
    chosen: list[int],
) -> None:
    a, b = int(left[seg]), int(right[seg])
    t = -(-a // step) * step
    point = left[seg : seg + 1]
    pairs = [compiled.pairs[r][k] for r, k in enumerate(choice)]
    codes = tuple(int(p.codes_at(point)[0]) for p in pairs)
    while t < b and len(found) < limit:
        clash = [c for c in chosen if abs(t - c) < max(sep, 1)]
        if clash:
            t = -(-(max(clash) + max(sep, 1)) // step) * step
            continue
        chosen.append(t)
        found.append(
            Found(
                start=t,
                people=tuple(p.person for p in pairs),
                positions=tuple(p.position for p in pairs),
                codes=codes,
                customer_outside=bool(outside[seg]),
                preference=pref,
                cost=cost,
            )
        )
        t = -(-(t + max(sep, 1)) // step) * step
