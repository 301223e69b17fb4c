"""Interval arithmetic that prepares the decision: who can attend when, as start sets.

Everything here works on *start sets*: the integer minutes ``s`` (from the
:class:`~bridge_sched.timegrid.Clock` origin) at which a bridge
``[s, s + d)`` would satisfy a rule. A busy interval ``[a, b)`` forbids the
starts ``(a - d, b)``; an allowed interval ``[a, b)`` admits ``[a, b - d]``.
No per-minute arrays are built.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from . import intervals as iv
from .model import BridgeRequest, BusyKind, Person, Role, TimeRange, Window
from .timegrid import Clock, local_rule_intervals, local_window_intervals, zone

__all__ = ["Compiled", "Flags", "PairFn", "PersonSets", "compile_request", "merge_instants"]

_HARD = frozenset(
    {BusyKind.busy, BusyKind.out_of_office, BusyKind.focus, BusyKind.executive_review}
)
_MARGIN = dt.timedelta(days=2)

TENTATIVE = 1
OUT_OF_HOURS = 2


@dataclass(frozen=True)
class Flags:
    """Rules relaxed for a diagnostic (what-if) pass; all off for a real solve."""

    overnight: bool = False
    out_of_hours_forbid: bool = False
    unknown: bool = False
    distinct: bool = False
    customer_policy_forbid: bool = False
    customer_window: bool = False
    window_end_minutes: int = 0


@dataclass
class PersonSets:
    """Start sets of one person (minutes)."""

    hard: iv.IntervalSet
    overnight: iv.IntervalSet
    in_hours: iv.IntervalSet
    soft: iv.IntervalSet
    unknown: iv.IntervalSet
    by_kind: dict[BusyKind, iv.IntervalSet] = field(default_factory=dict)
    unknown_raw: iv.IntervalSet = field(default_factory=lambda: iv.EMPTY)


@dataclass
class PairFn:
    """Eligibility of one candidate for one role as a step function over starts.

    ``bounds`` has one more entry than ``codes``; piece ``i`` covers
    ``[bounds[i], bounds[i+1])``. A code is ``-1`` (ineligible) or a bit set
    of :data:`TENTATIVE` and :data:`OUT_OF_HOURS`.
    """

    role: int
    person: int
    position: int
    eligible: iv.IntervalSet
    bounds: npt.NDArray[np.int64]
    codes: npt.NDArray[np.int8]

    def codes_at(self, points: npt.NDArray[np.int64]) -> npt.NDArray[np.int8]:
        """Codes at the given starts (``-1`` outside every piece)."""
        idx = np.searchsorted(self.bounds, points, side="right") - 1
        inside = (idx >= 0) & (idx < len(self.codes))
        out = np.full(points.shape, -1, dtype=np.int8)
        out[inside] = self.codes[idx[inside]]
        return out


@dataclass
class Compiled:
    """A request compiled to integer start sets."""

    request: BridgeRequest
    clock: Clock
    duration: int
    step: int
    lo: int
    hi: int
    roles: list[Role]
    people: list[Person]
    person_index: dict[str, int]
    window_starts: iv.IntervalSet
    customer_starts: iv.IntervalSet | None
    customer_policy_ok: iv.IntervalSet | None
    preferred_starts: iv.IntervalSet | None
    persons: list[PersonSets]
    pairs: list[list[PairFn]]
    caches: _Caches


def merge_instants(windows: Iterable[Window]) -> list[tuple[dt.datetime, dt.datetime]]:
    """Merge overlapping or touching windows *before* rounding them to minutes.

    Two on-call shifts that meet at 10:10:30 form one shift; rounding each
    inwards first would open a gap at the seam.
    """
    out: list[tuple[dt.datetime, dt.datetime]] = []
    for w in sorted(windows, key=lambda w: (w.start, w.end)):
        if out and w.start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], w.end))
        else:
            out.append((w.start, w.end))
    return out


def _local_dates(request: BridgeRequest, tz: zoneinfo.ZoneInfo) -> tuple[dt.date, dt.date]:
    """Local dates on which local rules are evaluated: two before the window's to two after."""
    first = request.window.start.astimezone(tz).date() - _MARGIN
    last = request.window.end.astimezone(tz).date() + _MARGIN
    return first, last


_LocalKey = tuple[str, object, object]
_LocalCache = dict[_LocalKey, tuple[iv.IntervalSet, iv.IntervalSet]]


def _local_sets(
    person: Person, request: BridgeRequest, clock: Clock, cache: _LocalCache
) -> tuple[iv.IntervalSet, iv.IntervalSet]:
    """Working hours and protected overnight hours of ``person`` in minutes.

    People who share a zone, weekly hours and overrides share the result
    (``cache`` lives for one compile only).
    """
    key: _LocalKey = (person.timezone, person.working_hours, person.overrides)
    if key in cache:
        return cache[key]
    policy = request.policy
    tz = zone(person.timezone)
    first, last = _local_dates(request, tz)
    overrides = {o.date: o.hours for o in person.overrides}

    def hours_for(date: dt.date) -> tuple[TimeRange, ...]:
        if date in overrides:
            return overrides[date]
        return person.working_hours.for_weekday(date.weekday())

    working = iv.from_pairs(
        clock.inner(a, b)
        for a, b in local_rule_intervals(
            tz, first, last, hours_for, policy.local_times, f"people[id={person.id}].working_hours"
        )
    )
    night = iv.from_pairs(
        clock.inner(a, b)
        for a, b in local_rule_intervals(
            tz, first, last, lambda _d: (policy.overnight,), policy.local_times, "policy.overnight"
        )
    )
    cache[key] = (working, iv.difference(night, working))
    return cache[key]


def _busy_by_kind(person: Person, clock: Clock) -> dict[BusyKind, iv.IntervalSet]:
    """Busy intervals per kind in minutes, rounded outwards (vectorised conversion)."""
    if not person.busy:
        return {}
    t0 = clock.origin.timestamp()
    starts = np.floor((np.array([b.start.timestamp() for b in person.busy]) - t0) / 60)
    ends = np.ceil((np.array([b.end.timestamp() for b in person.busy]) - t0) / 60)
    pairs = np.stack([starts, ends], axis=1).astype(np.int64)
    kinds = np.array([b.kind.value for b in person.busy])
    return {
        kind: iv.normalize(pairs[kinds == kind.value])
        for kind in sorted(set(b.kind for b in person.busy), key=lambda k: k.value)
    }


def _person_sets(
    person: Person,
    request: BridgeRequest,
    clock: Clock,
    duration: int,
    flags: Flags,
    cache: _LocalCache,
) -> PersonSets:
    policy = request.policy
    working, protected = _local_sets(person, request, clock, cache)

    raw = _busy_by_kind(person, clock)
    by_kind = {kind: iv.overlapping_starts(spans, duration) for kind, spans in raw.items()}
    hard_kinds = set(_HARD)
    soft_kinds = {BusyKind.tentative}
    if policy.tentative == "forbid":
        hard_kinds.add(BusyKind.tentative)
        soft_kinds.discard(BusyKind.tentative)
    if policy.unknown == "unavailable" and not flags.unknown:
        hard_kinds.add(BusyKind.unknown)
    else:
        soft_kinds.add(BusyKind.unknown)
    hard = iv.union(*(s for k, s in by_kind.items() if k in hard_kinds))
    soft = iv.union(*(s for k, s in by_kind.items() if k in soft_kinds))
    return PersonSets(
        hard=hard,
        overnight=iv.overlapping_starts(protected, duration),
        in_hours=iv.contained_starts(working, duration),
        soft=soft,
        unknown=by_kind.get(BusyKind.unknown, iv.EMPTY),
        by_kind=by_kind,
        unknown_raw=raw.get(BusyKind.unknown, iv.EMPTY),
    )


def _step_function(
    eligible: iv.IntervalSet, in_hours: iv.IntervalSet, soft: iv.IntervalSet
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int8]]:
    if eligible.size == 0:
        return np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int8)
    lo, hi = int(eligible[0, 0]), int(eligible[-1, 1])
    points = np.unique(
        np.concatenate(
            [eligible.ravel(), np.clip(in_hours.ravel(), lo, hi), np.clip(soft.ravel(), lo, hi)]
        )
    )
    left = points[:-1]

    def member(s: iv.IntervalSet) -> npt.NDArray[np.bool_]:
        if s.size == 0:
            return np.zeros(left.shape, dtype=bool)
        idx = np.searchsorted(s[:, 0], left, side="right") - 1
        ok = idx >= 0
        res = np.zeros(left.shape, dtype=bool)
        res[ok] = s[idx[ok], 1] > left[ok]
        return res

    codes = np.where(
        member(eligible),
        np.where(member(soft), TENTATIVE, 0) + np.where(member(in_hours), 0, OUT_OF_HOURS),
        -1,
    ).astype(np.int8)
    # merge equal neighbouring pieces
    keep = np.ones(len(codes), dtype=bool)
    keep[1:] = codes[1:] != codes[:-1]
    bounds = np.append(left[keep], points[-1])
    return bounds.astype(np.int64), codes[keep]


@dataclass
class _Caches:
    """Per-request memo shared by the compiles of one solve (diagnostic passes reuse it)."""

    local: _LocalCache = field(default_factory=dict)
    persons: dict[tuple[int, bool], PersonSets] = field(default_factory=dict)


def compile_request(
    request: BridgeRequest, flags: Flags | None = None, reuse: Compiled | None = None
) -> Compiled:
    """Compile ``request`` (already validated) into start sets per person and role.

    ``reuse``: an earlier compile of the *same* request whose per-person sets
    are reused (a diagnostic pass with other ``flags``).
    """
    flags = flags or Flags()
    caches = reuse.caches if reuse is not None else _Caches()
    policy = request.policy
    meeting = request.meeting
    duration = meeting.duration_minutes
    step = meeting.step_minutes
    clock = Clock(request.window.start)
    effective_start = max(request.window.start, request.now)
    lo = clock.ceil(effective_start)
    hi = clock.floor(request.window.end) + flags.window_end_minutes
    window_starts = iv.contained_starts(iv.from_pairs([(lo, hi)]), duration)

    customer_starts: iv.IntervalSet | None = None
    policy_ok: iv.IntervalSet | None = None
    preferred: iv.IntervalSet | None = None
    customer = request.customer
    if customer is not None:
        tz = zone(customer.timezone)
        first, last = _local_dates(request, tz)
        if customer.availability is not None and not flags.customer_window:
            spans = local_window_intervals(
                tz,
                customer.availability,
                policy.local_times,
                "customer.availability",
                (first, last),
            )
            customer_starts = iv.contained_starts(
                iv.from_pairs(clock.inner(a, b) for a, b in spans), duration
            )
        if policy.customer_hours is not None:
            hours = policy.customer_hours
            spans = local_rule_intervals(
                tz, first, last, lambda _d: (hours,), policy.local_times, "policy.customer_hours"
            )
            policy_ok = iv.contained_starts(
                iv.from_pairs(clock.inner(a, b) for a, b in spans), duration
            )
        if customer.preferred:
            spans = local_window_intervals(
                tz, customer.preferred, policy.local_times, "customer.preferred", (first, last)
            )
            preferred = iv.contained_starts(
                iv.from_pairs(clock.inner(a, b) for a, b in spans), duration
            )

    base = window_starts
    if customer_starts is not None:
        base = iv.intersect(base, customer_starts)
    if (
        policy_ok is not None
        and policy.customer_outside_policy == "forbid"
        and not flags.customer_policy_forbid
    ):
        base = iv.intersect(base, policy_ok)

    people = sorted(request.people, key=lambda p: p.id)
    person_index = {p.id: i for i, p in enumerate(people)}
    severity = request.incident.severity
    roles = sorted((r for r in request.roles if r.applies_to(severity)), key=lambda r: r.name)
    used = sorted({person_index[c.person] for r in roles for c in r.candidates})
    persons: dict[int, PersonSets] = {}
    for i in used:
        key = (i, flags.unknown)
        if key not in caches.persons:
            caches.persons[key] = _person_sets(
                people[i], request, clock, duration, flags, caches.local
            )
        persons[i] = caches.persons[key]
    forbid_out = policy.out_of_hours == "forbid" and not flags.out_of_hours_forbid

    pairs: list[list[PairFn]] = []
    for r, role in enumerate(roles):
        row: list[PairFn] = []
        for position, cand in enumerate(role.candidates):
            p = person_index[cand.person]
            sets = persons[p]
            eligible = base
            if cand.on_call is not None:
                shifts = iv.from_pairs(clock.inner(a, b) for a, b in merge_instants(cand.on_call))
                eligible = iv.intersect(eligible, iv.contained_starts(shifts, duration))
            eligible = iv.difference(eligible, sets.hard)
            if not flags.overnight:
                eligible = iv.difference(eligible, sets.overnight)
            if forbid_out:
                eligible = iv.intersect(eligible, sets.in_hours)
            bounds, codes = _step_function(eligible, sets.in_hours, sets.soft)
            row.append(PairFn(r, p, position, eligible, bounds, codes))
        pairs.append(row)

    all_persons = [
        persons.get(i, PersonSets(iv.EMPTY, iv.EMPTY, iv.EMPTY, iv.EMPTY, iv.EMPTY))
        for i in range(len(people))
    ]
    return Compiled(
        request=request,
        clock=clock,
        duration=duration,
        step=step,
        lo=lo,
        hi=hi,
        roles=roles,
        people=people,
        person_index=person_index,
        window_starts=window_starts,
        customer_starts=customer_starts,
        customer_policy_ok=policy_ok,
        preferred_starts=preferred,
        persons=all_persons,
        pairs=pairs,
        caches=caches,
    )
