"""Explanations of an escalation: named constraint groups, a minimal conflict, cheapest relaxations.

Every rule of the model belongs to one *group* with a stable id (see
``docs/explanations.md``): ``deadline``, ``customer_window``,
``customer_hours``, ``role:<name>``, ``distinct_people``, and per person
``busy:<id>``, ``focus:<id>``, ``out_of_office:<id>``,
``executive_review:<id>``, ``tentative:<id>``, ``unknown:<id>``,
``overnight:<id>``, ``working_hours:<id>``, and per candidate
``on_call:<role>:<id>``. The start is searched on the request's grid from
``max(window.start, now)`` to ``window.end`` plus ``extension`` minutes (the
part after the window is what the ``deadline`` group forbids).

The groups become a :class:`~bridge_sched._cpsat.conflict.ConflictProblem`;
CP-SAT finds a core under assumptions and deletion in :data:`DELETION_ORDER`
shrinks it to a minimal conflict. Relaxations switch off approval-tier groups
at the documented :data:`COSTS`, cheapest first, then earliest start.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import intervals as iv
from ._compile import _KINDS, Compiled, Flags, compile_request, merge_instants
from ._cpsat.conflict import BudgetExceeded, ConflictModel, ConflictProblem, Intervals
from .model import BusyKind

__all__ = [
    "COSTS",
    "DELETION_ORDER",
    "MAX_CELLS",
    "Explanation",
    "Group",
    "Rejected",
    "explain",
    "rejections",
]

MAX_CELLS = 100_000
"""When roles fail only *together* (no single role and not the window alone),
the conflict is found with CP-SAT over the time dimension; that is done when
candidate pairs x grid starts stay within this size. Larger such escalations
carry reason codes only (CP-SAT takes seconds per solve on a two-week,
one-minute grid)."""

DELETION_ORDER: tuple[str, ...] = (
    "deadline",
    "customer_window",
    "customer_hours",
    "working_hours",
    "tentative",
    "unknown",
    "overnight",
    "on_call",
    "busy",
    "focus",
    "executive_review",
    "out_of_office",
    "distinct_people",
    "role",
)
"""Kinds in the order deletion tries to drop them (ids within a kind in sorted order)."""

COSTS: dict[str, int] = {
    "working_hours": 10,
    "tentative": 15,
    "deadline": 20,
    "customer_hours": 25,
    "unknown": 30,
    "overnight": 40,
    "customer_window": 50,
    "distinct_people": 60,
    "role": 80,
}
"""Cost of switching off one group of each approval-tier kind (relaxations minimise the sum)."""

_NEVER_KINDS = {
    BusyKind.busy: "busy",
    BusyKind.focus: "focus",
    BusyKind.out_of_office: "out_of_office",
    BusyKind.executive_review: "executive_review",
}


@dataclass(frozen=True)
class Group:
    """One named constraint group."""

    id: str
    kind: str
    tier: str  # "never" or "approval"
    approver: str | None
    rule: str
    role: str | None = None
    person: str | None = None


@dataclass(frozen=True)
class Relaxed:
    """One relaxation: groups switched off, cost, and the first slot it yields."""

    groups: tuple[Group, ...]
    cost: int
    start: int  # minutes (clock)
    people: tuple[tuple[str, str | None], ...]  # (role, person id or None when the role is dropped)


@dataclass(frozen=True)
class Explanation:
    """Groups, the minimal conflict and the cheapest relaxations of an infeasible request."""

    groups: tuple[Group, ...]
    conflict: tuple[Group, ...]
    relaxations: tuple[Relaxed, ...]
    cpsat_calls: int
    note: str | None = None


class _Builder:
    def __init__(self, compiled: Compiled, extension: int) -> None:
        self.base = compiled
        self.ext = compile_request(compiled.request, Flags(window_end_minutes=extension), compiled)
        c = self.ext
        step = c.step
        self.step = step
        self.first = -(-c.lo // step) * step
        last = c.hi - c.duration
        self.n = max((last - self.first) // step + 1, 0) if last >= self.first else 0
        self.groups: list[Group] = []
        self.index: dict[str, int] = {}
        self.global_allowed: list[tuple[int, iv.IntervalSet]] = []

    # -- conversions ------------------------------------------------------- #
    def allowed(self, starts: iv.IntervalSet) -> iv.IntervalSet:
        """Grid indices (half-open rows) of a normalised start set, clipped to the horizon."""
        if starts.size == 0 or self.n == 0:
            return iv.EMPTY
        k0 = np.maximum(-(-(starts[:, 0] - self.first) // self.step), 0)
        k1 = np.minimum((starts[:, 1] - 1 - self.first) // self.step, self.n - 1) + 1
        keep = k1 > k0
        out: iv.IntervalSet = np.stack([k0[keep], k1[keep]], axis=1)
        return out

    def not_in(self, blocked: iv.IntervalSet) -> iv.IntervalSet:
        horizon_end = self.first + self.n * self.step
        return self.allowed(iv.complement(blocked, self.first, horizon_end))

    def group(self, group: Group) -> int:
        if group.id not in self.index:
            self.index[group.id] = len(self.groups)
            self.groups.append(group)
        return self.index[group.id]

    # -- the groups -------------------------------------------------------- #
    def build(self) -> None:
        c = self.ext
        req = c.request
        policy = req.policy
        approver = policy.approver
        deadline = self.group(
            Group("deadline", "deadline", "approval", approver, "the bridge ends by the window end")
        )
        self.global_allowed.append((deadline, self.allowed(self.base.window_starts)))
        if c.customer_starts is not None:
            g = self.group(
                Group(
                    "customer_window",
                    "customer_window",
                    "approval",
                    "account_team",
                    "the customer's stated availability",
                )
            )
            self.global_allowed.append((g, self.allowed(c.customer_starts)))
        if c.customer_policy_ok is not None and policy.customer_outside_policy == "forbid":
            g = self.group(
                Group(
                    "customer_hours",
                    "customer_hours",
                    "approval",
                    approver,
                    "internal hours for customer-facing calls",
                )
            )
            self.global_allowed.append((g, self.allowed(c.customer_policy_ok)))

        role_groups: list[int] = []
        role_pairs: list[tuple[int, ...]] = []
        pair_person: list[int] = []
        self.pair_rank: list[int] = []
        self.pair_cand: list[tuple[str, Any]] = []
        self.pair_specs: list[list[tuple[int, Callable[[], iv.IntervalSet]]]] = []
        self._specs: dict[int, list[tuple[int, Callable[[], iv.IntervalSet]]]] = {}
        self._sets: dict[tuple[int, int], iv.IntervalSet] = {}
        for role in c.roles:
            severity_role = role.required_for is not None
            role_groups.append(
                self.group(
                    Group(
                        f"role:{role.name}",
                        "role",
                        "approval" if severity_role else "never",
                        approver if severity_role else None,
                        f"role {role.name} is filled",
                        role=role.name,
                    )
                )
            )
            pairs: list[int] = []
            for position, cand in enumerate(role.candidates):
                pair = len(pair_person)
                pairs.append(pair)
                person = c.person_index[cand.person]
                pair_person.append(person)
                self.pair_rank.append(position)
                self.pair_cand.append((role.name, cand))
                if person not in self._specs:
                    self._specs[person] = self._person_specs(person)
                specs = list(self._specs[person])
                if cand.on_call is not None:
                    specs.append(self._on_call_spec(role.name, cand))
                self.pair_specs.append(specs)
            role_pairs.append(tuple(pairs))
        distinct = self.group(
            Group(
                "distinct_people",
                "distinct_people",
                "approval",
                approver,
                "one person per role (minimum internal coverage)",
            )
        )
        self.role_groups = tuple(role_groups)
        self.role_pairs = tuple(role_pairs)
        self.pair_person = tuple(pair_person)
        self.distinct = distinct
        self._pair_cache: dict[int, list[tuple[int, iv.IntervalSet]]] = {}

    def pair_groups(self, pair: int) -> list[tuple[int, iv.IntervalSet]]:
        """The groups of one (role, candidate) pair and the starts each admits."""
        cached = self._pair_cache.get(pair)
        if cached is not None:
            return cached
        out: list[tuple[int, iv.IntervalSet]] = []
        for g, thunk in self.pair_specs[pair]:
            key = (self.pair_person[pair], g)
            if key not in self._sets:
                self._sets[key] = thunk()
            out.append((g, self._sets[key]))
        self._pair_cache[pair] = out
        return out

    def _on_call_spec(self, role_name: str, cand: Any) -> tuple[int, Callable[[], iv.IntervalSet]]:
        c = self.ext
        g = self.group(
            Group(
                f"on_call:{role_name}:{cand.person}",
                "on_call",
                "never",
                None,
                f"{cand.person} holds {role_name} only while on call",
                role=role_name,
                person=cand.person,
            )
        )

        def allowed() -> iv.IntervalSet:
            shifts = iv.from_pairs(c.clock.inner(a, b) for a, b in merge_instants(cand.on_call))
            return self.allowed(iv.contained_starts(shifts, c.duration))

        return g, allowed

    def problem(self) -> ConflictProblem:
        """The CP-SAT form (inclusive grid intervals)."""

        def incl(s: iv.IntervalSet) -> Intervals:
            return tuple((a, b - 1) for a, b in s.tolist())

        return ConflictProblem(
            n_slots=self.n,
            n_groups=len(self.groups),
            role_pairs=self.role_pairs,
            pair_person=self.pair_person,
            role_group=self.role_groups,
            distinct_group=self.distinct,
            global_allowed=tuple((g, incl(a)) for g, a in self.global_allowed),
            pair_allowed=tuple(
                (p, g, incl(a))
                for p in range(len(self.pair_person))
                for g, a in self.pair_groups(p)
            ),
        )

    # -- fast checks (interval arithmetic) -------------------------------- #
    def time(self, enforced: set[int]) -> iv.IntervalSet:
        """Starts every enforced global group admits."""
        t = np.array([[0, self.n]], dtype=np.int64) if self.n else iv.EMPTY
        for g, allowed in self.global_allowed:
            if g in enforced:
                t = iv.intersect(t, allowed)
        return t

    def pair_time(self, pair: int, enforced: set[int], t: iv.IntervalSet) -> iv.IntervalSet:
        """Starts at which ``pair`` passes every enforced group of its own, within ``t``."""
        for g, allowed in self.pair_groups(pair):
            if g in enforced and t.size:
                t = iv.intersect(t, allowed)
        return t

    def role_feasible(self, r: int, enforced: set[int]) -> bool:
        """Whether role ``r`` alone (no other role, no distinct rule) can be filled."""
        if self.role_groups[r] not in enforced:
            return True
        t = self.time(enforced)
        return any(self.pair_time(p, enforced, t).size for p in self.role_pairs[r])

    def _person_specs(self, person_i: int) -> list[tuple[int, Callable[[], iv.IntervalSet]]]:
        """Register the groups of one person now; their start sets are computed on first use."""
        c = self.ext
        policy = c.request.policy
        approver = policy.approver
        pid = c.people[person_i].id
        sets = c.persons[person_i]
        out: list[tuple[int, Callable[[], iv.IntervalSet]]] = []
        present = sorted(
            (_KINDS[code] for code in np.unique(sets.kinds).tolist()), key=lambda k: k.value
        )
        for kind in present:
            if kind in _NEVER_KINDS:
                name, tier, who = _NEVER_KINDS[kind], "never", None
                rule = kind.value.replace("_", " ")
            elif kind == BusyKind.tentative and policy.tentative == "forbid":
                name, tier, who, rule = "tentative", "approval", approver, "tentative entries"
            elif kind == BusyKind.unknown and policy.unknown == "unavailable":
                name, tier, who, rule = "unknown", "approval", pid, "unreadable calendar"
            else:
                continue
            g = self.group(Group(f"{name}:{pid}", name, tier, who, f"{pid}'s {rule}", person=pid))
            out.append((g, functools.partial(lambda k: self.not_in(sets.by_kind[k]), kind)))
        if sets.overnight.size:
            g = self.group(
                Group(
                    f"overnight:{pid}",
                    "overnight",
                    "approval",
                    approver,
                    f"{pid}'s protected overnight hours",
                    person=pid,
                )
            )
            out.append((g, lambda: self.not_in(sets.overnight)))
        if policy.out_of_hours == "forbid":
            g = self.group(
                Group(
                    f"working_hours:{pid}",
                    "working_hours",
                    "approval",
                    approver,
                    f"{pid}'s working hours",
                    person=pid,
                )
            )
            out.append((g, lambda: self.allowed(sets.in_hours)))
        return out


def _order(groups: list[Group]) -> list[int]:
    rank = {kind: i for i, kind in enumerate(DELETION_ORDER)}
    return sorted(range(len(groups)), key=lambda i: (rank[groups[i].kind], groups[i].id))


def _delete(
    candidates: list[int], keep: set[int], infeasible: Callable[[set[int]], bool]
) -> set[int]:
    """Deletion: drop each candidate (in the given order) whose removal keeps ``infeasible``."""
    current = set(candidates) | keep
    for g in candidates:
        if infeasible(current - {g}):
            current.discard(g)
    return current


def _member(s: iv.IntervalSet, k: int) -> bool:
    if s.size == 0:
        return False
    i = int(np.searchsorted(s[:, 0], k, side="right")) - 1
    return i >= 0 and int(s[i, 1]) > k


def _assign_at(
    b: _Builder, k: int, enforced: set[int], roles: list[int], taken: set[int]
) -> dict[int, int] | None:
    """Pairs for ``roles`` at start ``k`` under ``enforced`` (distinct people if enforced)."""
    distinct = b.distinct in enforced
    options: list[list[int]] = []
    for r in roles:
        ok = []
        for p in b.role_pairs[r]:
            if distinct and b.pair_person[p] in taken:
                continue
            if all(g not in enforced or _member(a, k) for g, a in b.pair_groups(p)):
                ok.append(p)
        if not ok:
            return None
        options.append(ok)
    chosen: dict[int, int] = {}
    used: dict[int, int] = {}  # person -> role index in ``roles``

    def place(i: int, seen: set[int]) -> bool:  # augmenting path (Kuhn)
        for p in options[i]:
            person = b.pair_person[p]
            if not distinct:
                chosen[i] = p
                return True
            if person in seen:
                continue
            seen.add(person)
            if person not in used or place(used[person], seen):
                used[person] = i
                chosen[i] = p
                return True
        return False

    for i in range(len(roles)):
        if not place(i, set()):
            return None
    return {roles[i]: p for i, p in chosen.items()}


def _first_full(
    b: _Builder,
    window: iv.IntervalSet,
    enforced: set[int],
    fixed: dict[int, int],
    tries: int = 64,
) -> tuple[int, dict[int, int]] | None:
    """Earliest start in ``window`` where every enforced role can be filled (``fixed`` kept)."""
    others = [
        r for r in range(len(b.role_pairs)) if r not in fixed and b.role_groups[r] in enforced
    ]
    taken = {b.pair_person[p] for p in fixed.values()}
    checked = 0
    for a, e in window.tolist():
        for k in range(a, e):
            if checked >= tries:
                return None
            checked += 1
            got = _assign_at(b, k, enforced, others, taken)
            if got is not None:
                return k, {**got, **fixed}
    return None


def _subsets(groups: list[int], costs: dict[int, int], limit: int = 3) -> list[tuple[int, ...]]:
    out: list[tuple[int, ...]] = []
    for size in range(1, min(limit, len(groups)) + 1):
        out.extend(itertools.combinations(groups, size))
    return sorted(out, key=lambda c: (sum(costs[g] for g in c), c))


def _fast_relaxations(
    b: _Builder, role: int | None, everything: set[int], costs: dict[int, int], n: int
) -> list[tuple[int, int, tuple[int, ...], dict[int, int]]]:
    """(cost, start index, relaxed groups, role -> pair) options, cheapest and earliest first."""
    glob = [g for g, _a in b.global_allowed if g in costs]
    if b.distinct in costs:
        glob = [*glob, b.distinct]
    found: list[tuple[int, int, tuple[int, ...], dict[int, int]]] = []

    def consider(relax: tuple[int, ...], fixed_pair: int | None) -> None:
        enforced = everything - set(relax)
        t = b.time(enforced)
        fixed: dict[int, int] = {}
        if fixed_pair is not None and role is not None:
            t = b.pair_time(fixed_pair, enforced, t)
            fixed = {role: fixed_pair}
        if not t.size:
            return
        hit = _first_full(b, t, enforced, fixed)
        if hit is not None:  # every candidate is tried: the earliest slot per set wins below
            found.append((sum(costs[g] for g in relax), hit[0], relax, hit[1]))

    if role is None:
        for relax in _subsets(glob, costs):
            consider(relax, None)
    else:
        role_group = b.role_groups[role]
        if role_group in costs:
            consider((role_group,), None)
        never = everything - set(costs)
        t_never = b.time(never)
        for pair in b.role_pairs[role]:
            if not b.pair_time(pair, never, t_never).size:
                continue  # rules that are never relaxed block this candidate already
            own = [g for g, _a in b.pair_groups(pair) if g in costs]
            # this candidate's cheapest working sets only (all of the same, lowest cost)
            before = len(found)
            best: int | None = None
            for relax in _subsets(sorted(set(glob + own)), costs):
                cost = sum(costs[g] for g in relax)
                if best is not None and cost > best:
                    break
                consider(tuple(sorted(relax)), pair)
                if len(found) > before and best is None:
                    best = cost
    # one option per set (its earliest slot); minimal sets only
    found.sort(key=lambda o: (o[0], o[1], o[2], sorted(o[3].items())))
    minimal: list[tuple[int, int, tuple[int, ...], dict[int, int]]] = []
    for option in found:
        if not any(set(m[2]) <= set(option[2]) for m in minimal):
            minimal.append(option)
    return minimal[:n]


def explain(
    compiled: Compiled, extension: int = 240, relaxations: int = 3, seed: int = 0
) -> Explanation:
    """The minimal conflict and up to ``relaxations`` cheapest relaxations.

    ``compiled`` must be infeasible as it stands (an escalation). When the
    window itself (its global groups) or one role on its own is already
    impossible, the conflict lies inside that part and deletion uses exact
    interval checks on it; otherwise (roles that fail only together) CP-SAT
    decides each deletion step under assumptions.
    """
    b = _Builder(compiled, extension)
    b.build()
    groups = b.groups
    everything = set(range(len(groups)))
    order = _order(groups)
    rank = {g: i for i, g in enumerate(order)}
    costs = {i: COSTS[groups[i].kind] for i in everything if groups[i].tier == "approval"}
    glob = sorted((g for g, _a in b.global_allowed), key=rank.__getitem__)
    small = len(b.pair_person) * max(b.n, 1) <= MAX_CELLS
    model: ConflictModel | None = None
    notes: list[str] = []
    role: int | None = None
    conflict: set[int] = set()
    if not b.time(everything).size:
        conflict = _delete(glob, set(), lambda s: not b.time(s).size)
    else:
        role = next(
            (
                r
                for r, row in enumerate(compiled.pairs)
                if not iv.grid_count(iv.union(*(p.eligible for p in row)), compiled.step)
            ),
            None,
        )
        if role is not None:
            r = role
            # the window's own groups first, then each candidate's groups on its own
            kept = _delete(
                glob, {b.role_groups[r]} | _pair_groups(b, r), lambda s: not b.role_feasible(r, s)
            )
            g_keep = {g for g in kept if g in glob}
            t = b.time(g_keep)
            conflict = g_keep | {b.role_groups[r]}
            for pair in b.role_pairs[r]:
                own = sorted({g for g, _a in b.pair_groups(pair)}, key=rank.__getitem__)
                conflict |= _delete(own, set(), _pair_blocked(b, pair, t))
        elif not small:
            notes.append(
                "no minimal conflict: the roles fail only together and the decision is too "
                f"large for it (candidate pairs x starts > {MAX_CELLS:,})"
            )
        else:
            model = ConflictModel(b.problem(), seed)
            try:
                conflict = set(model.minimal_conflict(sorted(everything), order))
            except BudgetExceeded:
                notes.append("no minimal conflict: the CP-SAT work budget ran out")
    options: list[tuple[int, int, tuple[int, ...], dict[int, int]]] = []
    exact = False
    if role is not None and b.role_groups[role] not in costs:
        never = everything - set(costs)
        t_never = b.time(never)
        if not any(b.pair_time(p, never, t_never).size for p in b.role_pairs[role]):
            exact = True  # rules that are never relaxed block every candidate: nothing helps
    if small and not exact:
        model = model or ConflictModel(b.problem(), seed)
        try:
            options = _cpsat_relaxations(model, groups, everything, costs, b, relaxations)
            exact = True
        except BudgetExceeded:
            notes.append("the CP-SAT work budget for exact relaxations ran out")
    if not exact:
        if role is not None or not b.time(everything).size:
            options = _fast_relaxations(b, role, everything, costs, relaxations)
            notes.append(
                "relaxations from a bounded search (per candidate, its cheapest sets of up to "
                "three groups), not proven cheapest"
            )
        else:
            notes.append("no relaxations searched (the roles fail only together)")
    calls = model.calls if model is not None else 0
    found = [
        Relaxed(
            groups=tuple(groups[g] for g in sorted(relax, key=rank.__getitem__)),
            cost=cost,
            start=b.first + k * b.step,
            people=tuple(
                (
                    role_.name,
                    compiled.people[b.pair_person[chosen[r]]].id if r in chosen else None,
                )
                for r, role_ in enumerate(b.ext.roles)
            ),
        )
        for cost, k, relax, chosen in options
    ]
    return Explanation(
        tuple(groups),
        tuple(groups[g] for g in sorted(conflict, key=rank.__getitem__)),
        tuple(found),
        calls,
        "; ".join(notes) or None,
    )


def _cpsat_relaxations(
    model: ConflictModel,
    groups: list[Group],
    everything: set[int],
    costs: dict[int, int],
    b: _Builder,
    n: int,
) -> list[tuple[int, int, tuple[int, ...], dict[int, int]]]:
    """Exact cheapest relaxations: CP-SAT minimises cost, then start, then pool positions."""
    fixed = [i for i in sorted(everything) if groups[i].tier == "never"]
    seen: list[frozenset[int]] = []
    options: list[tuple[int, int, tuple[int, ...], dict[int, int]]] = []
    for _ in range(n):
        w = model.cheapest(fixed, costs, b.pair_rank, seen)
        if w is None:
            break
        seen.append(frozenset(w.relaxed))
        pairs = {r: p for r, p in enumerate(w.pairs) if p is not None}
        options.append((sum(costs[g] for g in w.relaxed), w.slot, w.relaxed, pairs))
    return options


def _pair_blocked(b: _Builder, pair: int, t: iv.IntervalSet) -> Callable[[set[int]], bool]:
    def blocked(enforced: set[int]) -> bool:
        return not b.pair_time(pair, enforced, t).size

    return blocked


def _pair_groups(b: _Builder, r: int) -> set[int]:
    return {g for p in b.role_pairs[r] for g, _a in b.pair_groups(p)}


@dataclass(frozen=True)
class Rejected:
    """Grid starts ``first``..``last`` (minutes, inclusive) rejected for one reason."""

    first: int
    last: int
    rule: str  # "customer_window", "customer_hours", "role", "distinct_people"
    role: str | None
    blockers: tuple[tuple[str, tuple[str, ...]], ...]  # (person, group ids) per candidate
    groups: tuple[str, ...]


def rejections(compiled: Compiled) -> tuple[Rejected, ...]:
    """Why every grid start in the window that has no valid assignment is rejected.

    The first rule that rejects a start is reported: the customer's window,
    internal customer-call hours, then each required role (in role order)
    with every candidate's blocking groups, then minimum internal coverage
    (distinct people). Consecutive starts with the same reason form one range.
    Starts with a valid assignment are not listed (they are offered or ranked
    below the offered ones).
    """
    b = _Builder(compiled, 0)
    b.build()
    if b.n == 0:
        return ()
    everything = set(range(len(b.groups)))
    cuts = {0, b.n}
    for _g, allowed in b.global_allowed:
        cuts.update(int(x) for x in allowed.ravel())
    for pair in range(len(b.pair_person)):
        for _g, allowed in b.pair_groups(pair):
            cuts.update(int(x) for x in allowed.ravel())
    points = sorted(c for c in cuts if 0 <= c <= b.n)
    out: list[Rejected] = []
    for k0, k1 in itertools.pairwise(points):
        found = _reject_at(b, k0, everything)
        if found is None:
            continue
        first, last = b.first + k0 * b.step, b.first + (k1 - 1) * b.step
        prev_key = (out[-1].rule, out[-1].role, out[-1].blockers, out[-1].groups) if out else None
        if prev_key == found and out[-1].last + b.step == first:
            prev = out[-1]
            out[-1] = Rejected(prev.first, last, *found)
        else:
            out.append(Rejected(first, last, *found))
    return tuple(out)


def _reject_at(
    b: _Builder, k: int, enforced: set[int]
) -> tuple[str, str | None, tuple[tuple[str, tuple[str, ...]], ...], tuple[str, ...]] | None:
    for g, allowed in b.global_allowed:
        kind = b.groups[g].kind
        if kind != "deadline" and not _member(allowed, k):
            return kind, None, (), (b.groups[g].id,)
    people = b.ext.people
    for r, pairs in enumerate(b.role_pairs):
        blockers = []
        for p in pairs:
            blocking = tuple(
                b.groups[g].id for g, allowed in b.pair_groups(p) if not _member(allowed, k)
            )
            if not blocking:
                break
            blockers.append((people[b.pair_person[p]].id, blocking))
        else:
            ids = tuple(sorted({g for _person, gs in blockers for g in gs}))
            return "role", b.ext.roles[r].name, tuple(blockers), ids
    if _assign_at(b, k, enforced, list(range(len(b.role_pairs))), set()) is None:
        return "distinct_people", None, (), ("distinct_people",)
    return None
