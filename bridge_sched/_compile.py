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
from functools import cached_property

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
_NO_CODES = np.zeros(0, dtype=np.int8)
_NO_CODES.setflags(write=False)


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


_KINDS: tuple[BusyKind, ...] = tuple(BusyKind)
_KIND_CODE: dict[str, int] = {kind.value: code for code, kind in enumerate(_KINDS)}


class PersonSets:
    """Start sets of one person (minutes from the clock origin).

    ``hard`` and ``soft`` are *rows* of forbidden and penalised starts
    (``[a - d + 1, b)`` for a busy ``[a, b)``) that may overlap: the pair sweep
    counts them, so they are never normalised on the hot path. ``overnight``
    and ``in_hours`` are normalised. The per-kind views that only diagnostics
    need are computed on first use.
    """

    def __init__(
        self,
        busy: iv.IntervalSet,
        kinds: npt.NDArray[np.int8],
        duration: int,
        hard_codes: frozenset[int],
        overnight: iv.IntervalSet,
        in_hours: iv.IntervalSet,
    ) -> None:
        self.busy = busy
        self.kinds = kinds
        self.duration = duration
        self.overnight = overnight
        self.in_hours = in_hours
        starts = np.empty_like(busy)
        if busy.size:
            starts[:, 0] = busy[:, 0] - duration + 1
            starts[:, 1] = busy[:, 1]
        is_hard = np.isin(kinds, sorted(hard_codes))
        self.hard: iv.IntervalSet = starts[is_hard]
        self.soft: iv.IntervalSet = starts[~is_hard]

    @classmethod
    def empty(cls) -> PersonSets:
        """Sets of a person no role asks for."""
        return cls(iv.EMPTY, np.zeros(0, dtype=np.int8), 1, frozenset(), iv.EMPTY, iv.EMPTY)

    @cached_property
    def by_kind(self) -> dict[BusyKind, iv.IntervalSet]:
        """Normalised starts blocked per busy kind (kinds present, in enum order)."""
        out: dict[BusyKind, iv.IntervalSet] = {}
        present = sorted((_KINDS[c] for c in np.unique(self.kinds).tolist()), key=lambda k: k.value)
        for kind in present:
            code = _KIND_CODE[kind.value]
            out[kind] = iv.overlapping_starts(
                iv.normalize(self.busy[self.kinds == code]), self.duration
            )
        return out

    @cached_property
    def unknown(self) -> iv.IntervalSet:
        """Starts that overlap an unreadable calendar stretch."""
        return self.by_kind.get(BusyKind.unknown, iv.EMPTY)

    @cached_property
    def unknown_raw(self) -> iv.IntervalSet:
        """The unreadable calendar stretches themselves (minutes)."""
        return iv.normalize(self.busy[self.kinds == _KIND_CODE[BusyKind.unknown.value]])


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
_NightCache = dict[str, iv.IntervalSet]


def _local_sets(
    person: Person, request: BridgeRequest, clock: Clock, duration: int, caches: _Caches
) -> tuple[iv.IntervalSet, iv.IntervalSet]:
    """In-hours starts and starts touching protected overnight hours of ``person``.

    People who share a zone, weekly hours and overrides share the result, and
    people who share a zone share the overnight rule (the caches live for one
    solve only).
    """
    key: _LocalKey = (person.timezone, person.working_hours, person.overrides)
    cached = caches.local.get(key)
    if cached is not None:
        return cached
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
    night = caches.night.get(person.timezone)
    if night is None:
        night = caches.night[person.timezone] = iv.from_pairs(
            clock.inner(a, b)
            for a, b in local_rule_intervals(
                tz,
                first,
                last,
                lambda _d: (policy.overnight,),
                policy.local_times,
                "policy.overnight",
            )
        )
    # one sweep over working hours and the overnight rule: in-hours runs, protected pieces
    cuts, counts = iv.coverage(working, night)
    in_work = counts[0] > 0
    protected = ~in_work & (counts[1] > 0)
    left, right = cuts[:-1], cuts[1:]
    rows = np.stack([left[protected] - duration + 1, right[protected]], axis=1)
    result = (iv.contained_starts(working, duration), iv.normalize(rows))
    caches.local[key] = result
    return result


def _busy_minutes(person: Person, clock: Clock) -> tuple[iv.IntervalSet, npt.NDArray[np.int8]]:
    """Busy intervals in minutes (rounded outwards) and their kind codes, in input order."""
    if not person.busy:
        return iv.EMPTY, np.zeros(0, dtype=np.int8)
    t0 = clock.origin.timestamp()
    busy = person.busy
    starts = np.floor((np.array([b.start.timestamp() for b in busy]) - t0) / 60)
    ends = np.ceil((np.array([b.end.timestamp() for b in busy]) - t0) / 60)
    codes = np.array([_KIND_CODE[b.kind] for b in busy], dtype=np.int8)
    return np.stack([starts, ends], axis=1).astype(np.int64), codes


def _person_sets(
    person: Person,
    request: BridgeRequest,
    clock: Clock,
    duration: int,
    flags: Flags,
    caches: _Caches,
) -> PersonSets:
    policy = request.policy
    in_hours, overnight = _local_sets(person, request, clock, duration, caches)
    hard_kinds = set(_HARD)
    if policy.tentative == "forbid":
        hard_kinds.add(BusyKind.tentative)
    if policy.unknown == "unavailable" and not flags.unknown:
        hard_kinds.add(BusyKind.unknown)
    busy, kinds = _busy_minutes(person, clock)
    return PersonSets(
        busy,
        kinds,
        duration,
        frozenset(_KIND_CODE[k.value] for k in hard_kinds),
        overnight,
        in_hours,
    )


@dataclass(frozen=True)
class _PairSpec:
    role: int
    person: int
    position: int
    on_call: iv.IntervalSet | None


def _pair_functions(
    base: iv.IntervalSet,
    specs: list[_PairSpec],
    persons: dict[int, PersonSets],
    flags: Flags,
    forbid_out: bool,
) -> list[PairFn]:
    """Eligibility step functions of every (role, candidate) pair in one sweep.

    Each pair gets its own *lane* of the number line (``width`` minutes
    apart); its rows are clipped to the span of ``base`` and shifted into the
    lane, and :func:`~bridge_sched.intervals.coverage` counts, per piece, the
    required sets covering it (``base``, the on-call shift, in-hours when
    out-of-hours is forbidden), the forbidding rows (hard busy, protected
    overnight), the tentative-or-unknown rows and the in-hours rows.
    """
    n = len(specs)
    if base.size == 0 or n == 0:
        return [
            PairFn(s.role, s.person, s.position, iv.EMPTY, np.zeros(1, dtype=np.int64), _NO_CODES)
            for s in specs
        ]
    c_lo, c_hi = int(base[0, 0]), int(base[-1, 1])
    width = c_hi - c_lo + 1
    shift = np.arange(n, dtype=np.int64) * width - c_lo

    def layer(parts: list[tuple[int, iv.IntervalSet]]) -> iv.IntervalSet:
        parts = [(k, rows) for k, rows in parts if rows.size]
        if not parts:
            return iv.EMPTY
        rows = np.clip(np.concatenate([rows for _, rows in parts]), c_lo, c_hi)
        lane_shift = np.repeat(shift[[k for k, _ in parts]], [len(r) for _, r in parts])
        keep = rows[:, 1] > rows[:, 0]
        shifted: iv.IntervalSet = rows[keep] + lane_shift[keep, None]
        return shifted

    required: list[tuple[int, iv.IntervalSet]] = []
    forbidden: list[tuple[int, iv.IntervalSet]] = []
    soft: list[tuple[int, iv.IntervalSet]] = []
    in_hours: list[tuple[int, iv.IntervalSet]] = []
    n_required = np.ones(n, dtype=np.int64)
    for k, spec in enumerate(specs):
        sets = persons[spec.person]
        required.append((k, base))
        if spec.on_call is not None:
            required.append((k, spec.on_call))
            n_required[k] += 1
        if forbid_out:
            required.append((k, sets.in_hours))
            n_required[k] += 1
        forbidden.append((k, sets.hard))
        if not flags.overnight:
            forbidden.append((k, sets.overnight))
        soft.append((k, sets.soft))
        in_hours.append((k, sets.in_hours))

    cuts, counts = iv.coverage(layer(required), layer(forbidden), layer(soft), layer(in_hours))
    left = cuts[:-1]
    lane = left // width
    ok = (counts[0] == n_required[lane]) & (counts[1] == 0)
    code = np.where(
        ok,
        np.where(counts[2] > 0, TENTATIVE, 0) + np.where(counts[3] > 0, 0, OUT_OF_HOURS),
        -1,
    ).astype(np.int8)

    # merge equal neighbouring pieces of a lane
    change = np.ones(len(code), dtype=bool)
    change[1:] = (code[1:] != code[:-1]) | (lane[1:] != lane[:-1])
    starts, codes, lanes = left[change], code[change], lane[change]
    ends = np.append(starts[1:], cuts[-1])
    # eligible rows: maximal runs of eligible pieces inside a lane
    good = codes >= 0
    same_prev = np.zeros(len(codes), dtype=bool)
    same_prev[1:] = good[:-1] & (lanes[1:] == lanes[:-1])
    same_next = np.zeros(len(codes), dtype=bool)
    same_next[:-1] = good[1:] & (lanes[1:] == lanes[:-1])
    run_lanes = lanes[good & ~same_prev]
    runs = np.stack([starts[good & ~same_prev], ends[good & ~same_next]], axis=1)

    ks = np.arange(n)
    piece_lo = np.searchsorted(lanes, ks, side="left")
    piece_hi = np.searchsorted(lanes, ks, side="right")
    run_lo = np.searchsorted(run_lanes, ks, side="left")
    run_hi = np.searchsorted(run_lanes, ks, side="right")
    out: list[PairFn] = []
    for k, spec in enumerate(specs):
        i0, i1 = int(piece_lo[k]), int(piece_hi[k])
        while i0 < i1 and codes[i0] < 0:
            i0 += 1
        while i1 > i0 and codes[i1 - 1] < 0:
            i1 -= 1
        if i0 == i1:
            out.append(
                PairFn(
                    spec.role,
                    spec.person,
                    spec.position,
                    iv.EMPTY,
                    np.zeros(1, dtype=np.int64),
                    _NO_CODES,
                )
            )
            continue
        off = int(shift[k])
        bounds = np.append(starts[i0:i1], ends[i1 - 1]) - off
        eligible = runs[int(run_lo[k]) : int(run_hi[k])] - off
        out.append(
            PairFn(spec.role, spec.person, spec.position, eligible, bounds, codes[i0:i1].copy())
        )
    return out


@dataclass
class _Caches:
    """Per-request memo shared by the compiles of one solve (diagnostic passes reuse it)."""

    local: _LocalCache = field(default_factory=dict)
    night: _NightCache = field(default_factory=dict)
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
            caches.persons[key] = _person_sets(people[i], request, clock, duration, flags, caches)
        persons[i] = caches.persons[key]
    forbid_out = policy.out_of_hours == "forbid" and not flags.out_of_hours_forbid

    specs: list[_PairSpec] = []
    for r, role in enumerate(roles):
        for position, cand in enumerate(role.candidates):
            on_call = None
            if cand.on_call is not None:
                shifts = iv.from_pairs(clock.inner(a, b) for a, b in merge_instants(cand.on_call))
                on_call = iv.contained_starts(shifts, duration)
            specs.append(_PairSpec(r, person_index[cand.person], position, on_call))
    functions = iter(_pair_functions(base, specs, persons, flags, forbid_out))
    pairs = [[next(functions) for _ in role.candidates] for role in roles]

    empty = PersonSets.empty()
    all_persons = [persons.get(i, empty) for i in range(len(people))]
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
