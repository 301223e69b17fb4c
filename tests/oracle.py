"""An independent, deliberately naive brute-force oracle for ``docs/semantics.md``.

This module implements the contract literally and shares no code with the
engine: it imports only the request models (``bridge_sched.model``) and the
standard library, and reads zone rules from the ``tzdata`` package (as the engine
does, see :func:`load_zone`).  It is slow on purpose -- every candidate start on
the grid is examined and every assignment of people to roles is enumerated with
:func:`itertools.product` -- so keep requests small.

Readings of the contract where the text leaves room (flagged for docs/semantics.md):

* "every local date from two days before the window to two days after it" is
  calendar arithmetic: the local date of ``window.start`` minus two days through
  the local date of ``window.end`` plus two days (:func:`_local_dates`);
  customer windows dated outside that range are not evaluated.
* Only people who are candidates of a *required* role are evaluated (this only
  matters for a ``raise`` local-time policy).
* "``customer.preferred`` is empty" refers to the field, not to the resolved
  union (a preferred window that resolves to nothing still makes preference 1).

How it works
------------
* Local rules (working hours, overnight, customer windows) are turned into UTC
  intervals per local date with :func:`resolve`, which implements the
  ``policy.local_times`` rules with PEP 495 ``fold`` semantics of
  :mod:`zoneinfo` (in a gap ``fold=0`` uses the offset in force before the
  change, i.e. ``shift_forward``; for a repeated time ``fold=0`` is the earlier
  occurrence and ``fold=1`` the later one).
* Interval sets are merged (touching intervals merge) and the bridge
  ``[s, s + d)`` is tested for containment in one merged interval / overlap with
  an interval.
* For each start the key ``(approvals, substitutes, substitute_depth,
  tentative, customer_preference, s, ids)`` is the minimum over all valid
  assignments; starts are sorted by key and picked greedily with the
  separation rule.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from dataclasses import dataclass, field
from importlib import resources
from zoneinfo import ZoneInfo

from bridge_sched.model import (
    BridgeRequest,
    BusyKind,
    LocalTimePolicy,
    Person,
    TimeRange,
)

__all__ = [
    "OracleLocalTimeError",
    "OracleResult",
    "OracleSlot",
    "contains",
    "load_zone",
    "merge",
    "oracle_solve",
    "overlaps",
    "resolve",
    "subtract",
]

UTC = dt.timezone.utc
DAY_MINUTES = 24 * 60

Interval = tuple[dt.datetime, dt.datetime]
Key = tuple[int, int, int, int, int]


class OracleLocalTimeError(ValueError):
    """A local time is skipped/repeated and the policy says ``raise``."""


# --------------------------------------------------------------------------- #
# Zone rules
# --------------------------------------------------------------------------- #
@functools.cache
def load_zone(name: str) -> ZoneInfo:
    """The IANA zone ``name`` read from the ``tzdata`` package, never the host's files.

    ``ZoneInfo(name)`` prefers ``/usr/share/zoneinfo``, whose release may differ
    from the pinned ``tzdata`` (e.g. America/Havana changed in 2026); the engine
    reads ``tzdata`` only (docs/design.md, "Time zone data"), and so does the oracle.
    """
    res = resources.files("tzdata.zoneinfo")
    for part in name.split("/"):
        res = res.joinpath(part)
    with res.open("rb") as handle:
        return ZoneInfo.from_file(handle, key=name)


# --------------------------------------------------------------------------- #
# Local wall-clock time -> UTC instant
# --------------------------------------------------------------------------- #
def resolve(day: dt.date, minute: int, zone: ZoneInfo, policy: LocalTimePolicy) -> dt.datetime:
    """Turn local ``day`` + ``minute`` minutes after its midnight into a UTC instant.

    ``minute`` may be >= 1440 (the clock time on a later date, e.g. ``24:00`` or
    the end of a range that crosses midnight).
    """
    day = day + dt.timedelta(days=minute // DAY_MINUTES)
    minute %= DAY_MINUTES
    wall = dt.datetime.combine(day, dt.time(minute // 60, minute % 60))
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    second = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if first == second:
        return first
    exists = first.astimezone(zone).replace(tzinfo=None) == wall
    if not exists:  # skipped by a spring-forward change
        if policy.nonexistent == "raise":
            raise OracleLocalTimeError(f"{wall} does not exist in {zone.key}")
        return first  # fold=0 in a gap: offset before the change -> shifted forward
    if policy.ambiguous == "raise":  # repeated by a fall-back change
        raise OracleLocalTimeError(f"{wall} is ambiguous in {zone.key}")
    return first if policy.ambiguous == "earlier" else second


def range_to_utc(
    day: dt.date, rng: TimeRange, zone: ZoneInfo, policy: LocalTimePolicy
) -> Interval | None:
    """The UTC interval of the clock range ``rng`` on local date ``day`` (None if empty)."""
    start = resolve(day, rng.start_minute, zone, policy)
    end = resolve(day, rng.end_minute, zone, policy)  # end_minute >= 1440 => next date
    return (start, end) if start < end else None


# --------------------------------------------------------------------------- #
# Interval arithmetic on half-open UTC intervals
# --------------------------------------------------------------------------- #
def merge(intervals: list[Interval | None] | list[Interval]) -> list[Interval]:
    """Sorted union of half-open intervals; touching intervals merge."""
    out: list[list[dt.datetime]] = []
    for a, b in sorted(iv for iv in intervals if iv is not None and iv[0] < iv[1]):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def subtract(base: list[Interval], cut: list[Interval]) -> list[Interval]:
    """``base`` minus ``cut`` (both merged), as a list of non-empty intervals."""
    result: list[Interval] = []
    for a, b in base:
        pieces = [(a, b)]
        for c, e in cut:
            nxt: list[Interval] = []
            for x, y in pieces:
                if e <= x or c >= y:  # no overlap
                    nxt.append((x, y))
                    continue
                if x < c:
                    nxt.append((x, c))
                if e < y:
                    nxt.append((e, y))
            pieces = nxt
        result.extend(pieces)
    return merge(result)


def contains(intervals: list[Interval], s: dt.datetime, e: dt.datetime) -> bool:
    """``[s, e)`` lies inside one interval of the merged union of ``intervals``."""
    return any(a <= s and e <= b for a, b in merge(intervals))


def overlaps(intervals: list[Interval], s: dt.datetime, e: dt.datetime) -> bool:
    """``[s, e)`` overlaps at least one of ``intervals``."""
    return any(s < b and e > a for a, b in intervals)


# --------------------------------------------------------------------------- #
# Results
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class OracleSlot:
    """One selected start."""

    start: dt.datetime
    key: Key
    assignment: dict[str, str]

    @property
    def full_key(self) -> tuple[object, ...]:
        """The complete sort key ``(*key, start, ids-by-role-name)``."""
        ids = tuple(self.assignment[name] for name in sorted(self.assignment))
        return (*self.key, self.start, ids)


@dataclass
class OracleResult:
    """What the oracle computed: status, the selected slots and all valid starts."""

    status: str
    slots: list[OracleSlot]
    valid: dict[dt.datetime, OracleSlot] = field(default_factory=dict)
    required_roles: tuple[str, ...] = ()


# --------------------------------------------------------------------------- #
# The oracle
# --------------------------------------------------------------------------- #
@dataclass
class _PersonRules:
    working: list[Interval]
    protected: list[Interval]
    hard_busy: list[Interval]
    soft_busy: list[Interval]


def _local_dates(req: BridgeRequest, zone: ZoneInfo) -> list[dt.date]:
    """Local dates from two days before the window to two days after it."""
    first = req.window.start.astimezone(zone).date() - dt.timedelta(days=2)
    last = req.window.end.astimezone(zone).date() + dt.timedelta(days=2)
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _person_rules(req: BridgeRequest, person: Person) -> _PersonRules:
    zone = load_zone(person.timezone)
    lt = req.policy.local_times
    overrides = {o.date: o.hours for o in person.overrides}
    working: list[Interval | None] = []
    overnight: list[Interval | None] = []
    for day in _local_dates(req, zone):
        ranges = (
            overrides[day] if day in overrides else person.working_hours.for_weekday(day.weekday())
        )
        working.extend(range_to_utc(day, r, zone, lt) for r in ranges)
        overnight.append(range_to_utc(day, req.policy.overnight, zone, lt))
    w = merge(working)
    n = subtract(merge(overnight), w)

    hard_kinds = {BusyKind.busy, BusyKind.out_of_office, BusyKind.focus, BusyKind.executive_review}
    soft_kinds: set[BusyKind] = set()
    if req.policy.unknown == "unavailable":
        hard_kinds.add(BusyKind.unknown)
    else:
        soft_kinds.add(BusyKind.unknown)
    if req.policy.tentative == "forbid":
        hard_kinds.add(BusyKind.tentative)
    else:
        soft_kinds.add(BusyKind.tentative)
    hard = [(b.start, b.end) for b in person.busy if b.kind in hard_kinds]
    soft = [(b.start, b.end) for b in person.busy if b.kind in soft_kinds]
    return _PersonRules(w, n, hard, soft)


def _grid(req: BridgeRequest) -> list[dt.datetime]:
    """Every candidate start: on the step grid, >= max(window.start, now), ends by window.end."""
    step = req.meeting.step_minutes
    d = dt.timedelta(minutes=req.meeting.duration_minutes)
    lower = max(req.window.start, req.now)
    s = lower.replace(minute=0, second=0, microsecond=0)
    out = []
    while s + d <= req.window.end:
        if s >= lower:
            out.append(s)
        s += dt.timedelta(minutes=step)
    return out


def oracle_solve(request: BridgeRequest) -> OracleResult:
    """Solve ``request`` by brute force, literally following docs/semantics.md."""
    req = request
    pol = req.policy
    lt = pol.local_times
    d = dt.timedelta(minutes=req.meeting.duration_minutes)

    required = sorted(
        (r for r in req.roles if r.required_for is None or req.incident.severity in r.required_for),
        key=lambda r: r.name,
    )

    # Local rules are evaluated for every local date in the range (see _local_dates) of
    # every person who is a candidate for a required role, and of the customer, so a
    # `raise` policy raises even where the offending time never matters for a start.
    # (Interpretation: the contract does not say which *people* are evaluated; people
    # who cannot fill a required role are irrelevant to the request and are skipped.)
    relevant = {c.person for r in required for c in r.candidates}
    rules = {p.id: _person_rules(req, p) for p in req.people if p.id in relevant}

    customer = req.customer
    availability: list[Interval] | None = None
    preferred: list[Interval] = []
    customer_hours: list[Interval] | None = None
    if customer is not None:
        czone = load_zone(customer.timezone)
        cdates = set(_local_dates(req, czone))
        if customer.availability is not None:
            availability = merge(
                [
                    range_to_utc(w.date, w.range, czone, lt)
                    for w in customer.availability
                    if w.date in cdates
                ]
            )
        preferred = merge(
            [
                range_to_utc(w.date, w.range, czone, lt)
                for w in customer.preferred
                if w.date in cdates
            ]
        )
        if pol.customer_hours is not None:
            customer_hours = merge(
                [range_to_utc(day, pol.customer_hours, czone, lt) for day in sorted(cdates)]
            )

    valid: dict[dt.datetime, OracleSlot] = {}
    for s in _grid(req):
        e = s + d
        if availability is not None and not contains(availability, s, e):
            continue
        outside_policy = customer_hours is not None and not contains(customer_hours, s, e)
        if outside_policy and pol.customer_outside_policy == "forbid":
            continue
        # "customer.preferred is empty" means the field, not its resolved union: windows
        # that resolve to nothing (e.g. 02:30-03:00 inside a spring-forward gap) still count
        no_preference = customer is None or not customer.preferred
        preference = 0 if (no_preference or contains(preferred, s, e)) else 1

        # eligible candidates per required role: (person, pool_position, out_of_hours, tentative)
        options: list[list[tuple[str, int, bool, bool]]] = []
        for role in required:
            eligible = []
            for pos, cand in enumerate(role.candidates):
                pr = rules[cand.person]
                if cand.on_call is not None and not contains(
                    [(w.start, w.end) for w in cand.on_call], s, e
                ):
                    continue
                if overlaps(pr.hard_busy, s, e) or overlaps(pr.protected, s, e):
                    continue
                out_of_hours = not contains(pr.working, s, e)
                if out_of_hours and pol.out_of_hours == "forbid":
                    continue
                eligible.append((cand.person, pos, out_of_hours, overlaps(pr.soft_busy, s, e)))
            options.append(eligible)

        best: tuple[object, ...] | None = None
        best_slot: OracleSlot | None = None
        for combo in itertools.product(*options):
            people = [c[0] for c in combo]
            if len(set(people)) != len(people):
                continue
            approvals = int(outside_policy)
            if pol.out_of_hours == "needs_approval":
                approvals += sum(c[2] for c in combo)
            substitutes = sum(c[1] > 0 for c in combo)
            if pol.substitution == "needs_approval":
                approvals += substitutes
            key: Key = (
                approvals,
                substitutes,
                sum(c[1] for c in combo),
                sum(c[3] for c in combo),
                preference,
            )
            full = (*key, s, tuple(people))  # `required` is sorted by role name
            if best is None or full < best:
                best = full
                best_slot = OracleSlot(
                    s, key, dict(zip((r.name for r in required), people, strict=True))
                )
        if best_slot is not None:
            valid[s] = best_slot

    ranked = sorted(valid.values(), key=lambda slot: slot.full_key)
    separation = dt.timedelta(minutes=req.meeting.separation)
    selected: list[OracleSlot] = []
    for slot in ranked:
        if len(selected) == req.meeting.suggestions:
            break
        if all(abs(slot.start - c.start) >= separation for c in selected):
            selected.append(slot)

    if not selected:
        status = "escalate"
    elif selected[0].key[0] > 0:
        status = "needs_approval"
    else:
        status = "scheduled"
    return OracleResult(status, selected, valid, tuple(r.name for r in required))
