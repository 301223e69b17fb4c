"""The brute-force oracle (tests/oracle.py) against hand-computed examples and the engine.

Three layers:

* example tests of the oracle itself, with explicit UTC instants;
* an *independent checker* (:func:`check_slot`) that re-verifies a slot minute by
  minute against every hard rule, with its own local-time resolution (a scan
  over UTC offsets, no ``fold``), used on the oracle's and the engine's slots;
* hypothesis property tests comparing ``bridge_sched.solve`` with the oracle.

Hypothesis runs derandomized (fixed seeds) so CI is deterministic. The number of
examples that actually ran is printed at the end of the module
("hypothesis examples run: ..."); ``ORACLE_SCALE`` multiplies the example counts
and ``ORACLE_RANDOM=1`` switches to random seeds for soak runs.
"""

from __future__ import annotations

import collections
import datetime as dt
import functools
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridge_sched.model import (
    BridgeRequest,
    Busy,
    BusyKind,
    Candidate,
    Customer,
    Incident,
    LocalTimePolicy,
    LocalWindow,
    Meeting,
    Person,
    Policy,
    Role,
    TimeRange,
    WeeklyHours,
    Window,
)

try:  # tests/ may or may not become a package
    from tests.oracle import (
        OracleLocalTimeError,
        OracleResult,
        load_zone,
        oracle_solve,
        range_to_utc,
        resolve,
    )
    from tests.strategies import ZONES, bridge_requests, dst_night_requests, local_time_policies
except ModuleNotFoundError:  # pragma: no cover - depends on how pytest sets sys.path
    from oracle import (
        OracleLocalTimeError,
        OracleResult,
        load_zone,
        oracle_solve,
        range_to_utc,
        resolve,
    )
    from strategies import ZONES, bridge_requests, dst_night_requests, local_time_policies

UTC = dt.timezone.utc
MIN = dt.timedelta(minutes=1)

# --------------------------------------------------------------------------- #
# Example counter (reported at the end of the module)
# --------------------------------------------------------------------------- #
EXAMPLES: collections.Counter[str] = collections.Counter()


@pytest.fixture(scope="module", autouse=True)
def _report_example_counts(request: pytest.FixtureRequest) -> Iterator[None]:
    """Print how many hypothesis examples each property test ran."""
    yield
    total = sum(EXAMPLES.values())
    lines = [f"hypothesis examples run: {total}"] + [
        f"  {name}: {count}" for name, count in sorted(EXAMPLES.items())
    ]
    capture = request.config.pluginmanager.getplugin("capturemanager")
    if capture is not None:
        with capture.global_and_fixture_disabled():
            print("\n" + "\n".join(lines))
    else:  # pragma: no cover
        print("\n".join(lines))


# CI: fixed seeds and fixed example counts.  For a longer soak run, e.g.
#   ORACLE_SCALE=20 ORACLE_RANDOM=1 pytest tests/test_oracle.py
SCALE = float(os.environ.get("ORACLE_SCALE", "1"))
PROPERTY: dict[str, Any] = dict(
    deadline=None,
    derandomize=os.environ.get("ORACLE_RANDOM", "") == "",
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def n(examples: int) -> int:
    """``examples`` scaled by ``ORACLE_SCALE``."""
    return max(1, round(examples * SCALE))


def u(text: str) -> dt.datetime:
    """A UTC instant from ``YYYY-MM-DDTHH:MM``."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


# --------------------------------------------------------------------------- #
# Independent checker: scan-based local time resolution + minute-by-minute rules
# --------------------------------------------------------------------------- #
def _local_naive(instant: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


@functools.cache
def scan_resolve(
    day: dt.date, minute: int, zone_name: str, nonexistent: str, ambiguous: str
) -> dt.datetime | None:
    """Resolve a local wall time by searching UTC instants (no PEP 495 ``fold``).

    Returns ``None`` where the policy would raise.
    """
    zone = load_zone(zone_name)
    wall = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minute)
    as_utc = wall.replace(tzinfo=UTC)
    # every offset in force within +-15 h of the wall time read as UTC
    offsets = {
        (as_utc + dt.timedelta(minutes=15 * k)).astimezone(zone).utcoffset() for k in range(-60, 61)
    }
    solutions = sorted(
        {
            as_utc - o
            for o in offsets
            if o is not None and (as_utc - o).astimezone(zone).utcoffset() == o
        }
    )
    if len(solutions) == 1:
        return solutions[0]
    if len(solutions) > 1:  # repeated wall time
        if ambiguous == "raise":
            return None
        return solutions[0] if ambiguous == "earlier" else solutions[-1]
    # skipped wall time: find the change T where local time jumps over `wall`
    if nonexistent == "raise":
        return None
    t = as_utc - dt.timedelta(hours=15)
    while t < as_utc + dt.timedelta(hours=15):
        if _local_naive(t - MIN, zone) < wall < _local_naive(t, zone):
            before = (t - MIN).astimezone(zone).utcoffset()
            assert before is not None
            return as_utc - before
        t += MIN
    raise AssertionError(f"no transition found around {wall} in {zone_name}")


def _in_local_rule(
    instant: dt.datetime,
    zone_name: str,
    ranges_on: Callable[[dt.date], Sequence[TimeRange]],
    lt: LocalTimePolicy,
) -> bool:
    """Whether ``instant`` falls in the range of some local date (point membership)."""
    local_day = instant.astimezone(load_zone(zone_name)).date()
    for k in range(-2, 2):
        day = local_day + dt.timedelta(days=k)
        for rng in ranges_on(day):
            a = scan_resolve(day, rng.start_minute, zone_name, lt.nonexistent, lt.ambiguous)
            b = scan_resolve(day, rng.end_minute, zone_name, lt.nonexistent, lt.ambiguous)
            assert a is not None and b is not None, "raise policy: checker cannot resolve"
            if a <= instant < b:
                return True
    return False


def _minutes(start: dt.datetime, minutes: int) -> list[dt.datetime]:
    return [start + k * MIN for k in range(minutes)]


def _in_any(instant: dt.datetime, intervals: Sequence[tuple[dt.datetime, dt.datetime]]) -> bool:
    return any(a <= instant < b for a, b in intervals)


def _working_ranges(person: Person) -> Callable[[dt.date], Sequence[TimeRange]]:
    overrides = {o.date: o.hours for o in person.overrides}

    def ranges_on(day: dt.date) -> Sequence[TimeRange]:
        if day in overrides:
            return overrides[day]
        return person.working_hours.for_weekday(day.weekday())

    return ranges_on


def person_facts(req: BridgeRequest, person: Person, start: dt.datetime) -> dict[str, bool]:
    """Minute-by-minute facts about ``person`` during the bridge starting at ``start``."""
    lt = req.policy.local_times
    minutes = _minutes(start, req.meeting.duration_minutes)
    working = _working_ranges(person)
    in_hours = [_in_local_rule(m, person.timezone, working, lt) for m in minutes]
    overnight = [
        _in_local_rule(m, person.timezone, lambda _d: [req.policy.overnight], lt) for m in minutes
    ]
    hard = {BusyKind.busy, BusyKind.out_of_office, BusyKind.focus, BusyKind.executive_review}
    soft = set()
    (hard if req.policy.unknown == "unavailable" else soft).add(BusyKind.unknown)
    (hard if req.policy.tentative == "forbid" else soft).add(BusyKind.tentative)
    hard_iv = [(b.start, b.end) for b in person.busy if b.kind in hard]
    soft_iv = [(b.start, b.end) for b in person.busy if b.kind in soft]
    return {
        "out_of_hours": not all(in_hours),
        "protected_overnight": any(o and not w for o, w in zip(overnight, in_hours, strict=True)),
        "hard_busy": any(_in_any(m, hard_iv) for m in minutes),
        "tentative_conflict": any(_in_any(m, soft_iv) for m in minutes),
    }


def customer_facts(req: BridgeRequest, start: dt.datetime) -> dict[str, bool]:
    """Minute-by-minute customer facts for the bridge starting at ``start``."""
    cust, pol = req.customer, req.policy
    lt = pol.local_times
    minutes = _minutes(start, req.meeting.duration_minutes)
    facts = {"unavailable": False, "outside_policy": False, "not_preferred": False}
    if cust is None:
        return facts

    def windows(ws: Sequence[LocalWindow]) -> Callable[[dt.date], Sequence[TimeRange]]:
        return lambda day: [w.range for w in ws if w.date == day]

    if cust.availability is not None:
        facts["unavailable"] = not all(
            _in_local_rule(m, cust.timezone, windows(cust.availability), lt) for m in minutes
        )
    if pol.customer_hours is not None:
        hours = pol.customer_hours
        facts["outside_policy"] = not all(
            _in_local_rule(m, cust.timezone, lambda _d: [hours], lt) for m in minutes
        )
    if cust.preferred:
        facts["not_preferred"] = not all(
            _in_local_rule(m, cust.timezone, windows(cust.preferred), lt) for m in minutes
        )
    return facts


def required_role_names(req: BridgeRequest) -> list[str]:
    """Names of the roles required for the incident severity."""
    sev = req.incident.severity
    return sorted(r.name for r in req.roles if r.required_for is None or sev in r.required_for)


def check_slot(
    req: BridgeRequest, start: dt.datetime, assignment: dict[str, str]
) -> tuple[list[str], tuple[int, int, int, int, int]]:
    """Re-check one slot against every hard rule; return (violations, recomputed key)."""
    pol = req.policy
    d = req.meeting.duration_minutes
    bad: list[str] = []
    if start.utcoffset() != dt.timedelta(0):
        bad.append(f"start {start} is not UTC")
    if start.second or start.microsecond or start.minute % req.meeting.step_minutes:
        bad.append(f"start {start} is off the {req.meeting.step_minutes}-minute grid")
    if start < max(req.window.start, req.now):
        bad.append(f"start {start} before max(window.start, now)")
    if start + dt.timedelta(minutes=d) > req.window.end:
        bad.append(f"end {start + dt.timedelta(minutes=d)} after window.end")

    cf = customer_facts(req, start)
    if cf["unavailable"]:
        bad.append("outside customer availability")
    if cf["outside_policy"] and pol.customer_outside_policy == "forbid":
        bad.append("outside customer policy (forbid)")

    required = required_role_names(req)
    if sorted(assignment) != required:
        bad.append(f"assigned roles {sorted(assignment)} != required {required}")
    if len(set(assignment.values())) != len(assignment):
        bad.append(f"a person fills two roles: {assignment}")

    people = {p.id: p for p in req.people}
    roles = {r.name: r for r in req.roles}
    approvals = int(cf["outside_policy"])
    substitutes = depth = tentative = 0
    for role_name, pid in sorted(assignment.items()):
        role = roles.get(role_name)
        if role is None or pid not in people:
            bad.append(f"unknown role/person {role_name}/{pid}")
            continue
        positions = [i for i, c in enumerate(role.candidates) if c.person == pid]
        if not positions:
            bad.append(f"{pid} is not a candidate for {role_name}")
            continue
        pos = positions[0]
        cand: Candidate = role.candidates[pos]
        if cand.on_call is not None:
            shifts = [(w.start, w.end) for w in cand.on_call]
            if not all(_in_any(m, shifts) for m in _minutes(start, d)):
                bad.append(f"{pid} not on call for {role_name} during the whole bridge")
        pf = person_facts(req, people[pid], start)
        if pf["hard_busy"]:
            bad.append(f"{pid} is hard-busy")
        if pf["protected_overnight"]:
            bad.append(f"{pid} is in protected overnight hours")
        if pf["out_of_hours"] and pol.out_of_hours == "forbid":
            bad.append(f"{pid} is out of hours (forbid)")
        if pf["out_of_hours"] and pol.out_of_hours == "needs_approval":
            approvals += 1
        substitutes += pos > 0
        depth += pos
        tentative += pf["tentative_conflict"]
    if pol.substitution == "needs_approval":
        approvals += substitutes
    return bad, (approvals, substitutes, depth, tentative, int(cf["not_preferred"]))


# --------------------------------------------------------------------------- #
# Request builders for example tests
# --------------------------------------------------------------------------- #
def make_request(
    *,
    people: Sequence[Person],
    roles: Sequence[Role],
    window: tuple[str, str],
    duration: int = 60,
    step: int = 30,
    now: str | None = None,
    suggestions: int = 3,
    separation: int | None = None,
    customer: Customer | None = None,
    severity: str = "sev2",
    **policy: Any,
) -> BridgeRequest:
    """A request with sensible defaults for hand-written examples."""
    start, end = u(window[0]), u(window[1])
    return BridgeRequest(
        incident=Incident(id="INC-7", severity=severity, component="api"),
        now=u(now) if now else start,
        window=Window(start=start, end=end),
        meeting=Meeting(
            duration_minutes=duration,
            step_minutes=step,
            suggestions=suggestions,
            min_separation_minutes=separation,
        ),
        roles=tuple(roles),
        people=tuple(people),
        customer=customer,
        policy=Policy(**policy),
    )


def valid_starts(result: OracleResult) -> list[dt.datetime]:
    """All starts with a valid assignment, in time order."""
    return sorted(result.valid)


NY = "America/New_York"


# --------------------------------------------------------------------------- #
# Example tests of the oracle itself
# --------------------------------------------------------------------------- #
def test_resolve_examples() -> None:
    """resolve() handles gaps and repeats in NY, Lord Howe and Chatham as documented."""
    compat = LocalTimePolicy()
    later = LocalTimePolicy(ambiguous="later")
    ny = load_zone(NY)
    assert resolve(dt.date(2027, 3, 14), 150, ny, compat) == u(
        "2027-03-14T07:30"
    )  # 02:30 -> 03:30 EDT
    assert resolve(dt.date(2027, 11, 7), 90, ny, compat) == u("2027-11-07T05:30")  # 01:30 EDT
    assert resolve(dt.date(2027, 11, 7), 90, ny, later) == u("2027-11-07T06:30")  # 01:30 EST
    assert resolve(dt.date(2027, 3, 15), 9 * 60, ny, compat) == u("2027-03-15T13:00")
    assert resolve(dt.date(2027, 3, 13), 24 * 60, ny, compat) == u("2027-03-14T05:00")  # 24:00
    # Lord Howe: 02:00 -> 02:30 on 2027-10-03 (+10:30 before); 02:15 -> 02:15+10:30 read as 02:45
    lh = load_zone("Australia/Lord_Howe")
    assert resolve(dt.date(2027, 10, 3), 135, lh, compat) == u("2027-10-02T15:45")
    # Chatham: 02:45 -> 03:45 on 2027-09-26 (+12:45 before)
    ch = load_zone("Pacific/Chatham")
    assert resolve(dt.date(2027, 9, 26), 180, ch, compat) == u("2027-09-25T14:15")
    # Chatham 03:00 on 2027-04-04 is repeated (03:45 -> 02:45): +13:45 first, +12:45 later
    assert resolve(dt.date(2027, 4, 4), 180, ch, compat) == u("2027-04-03T13:15")
    assert resolve(dt.date(2027, 4, 4), 180, ch, later) == u("2027-04-03T14:15")
    with pytest.raises(OracleLocalTimeError):
        resolve(dt.date(2027, 3, 14), 150, ny, LocalTimePolicy(nonexistent="raise"))
    with pytest.raises(OracleLocalTimeError):
        resolve(dt.date(2027, 11, 7), 90, ny, LocalTimePolicy(ambiguous="raise"))


def test_night_shift_on_fall_back_night_is_nine_hours() -> None:
    """A 22:00-06:00 range on the NY fall-back night lasts 9 hours of real time."""
    night = TimeRange(start="22:00", end="06:00")
    span = range_to_utc(dt.date(2027, 11, 6), night, load_zone(NY), LocalTimePolicy())
    assert span == (u("2027-11-07T02:00"), u("2027-11-07T11:00"))
    day = TimeRange(start="09:00", end="17:00")
    span = range_to_utc(dt.date(2027, 3, 14), day, load_zone(NY), LocalTimePolicy())
    assert span is not None and span[1] - span[0] == dt.timedelta(hours=8)


def test_new_york_working_hours_in_utc() -> None:
    """A NY 09:00-17:00 person (EDT) is in hours for 13:00-14:00 UTC but not 12:30-13:30 UTC."""
    req = make_request(
        people=[Person(id="ana", timezone=NY)],
        roles=[Role(name="commander", candidates=("ana",))],
        window=("2027-03-15T12:00", "2027-03-15T15:00"),
        out_of_hours="forbid",
    )
    res = oracle_solve(req)
    assert valid_starts(res) == [
        u("2027-03-15T13:00"),
        u("2027-03-15T13:30"),
        u("2027-03-15T14:00"),
    ]
    assert res.status == "scheduled"
    assert [s.start for s in res.slots] == [u("2027-03-15T13:00"), u("2027-03-15T14:00")]


def test_out_of_hours_needs_approval_and_overnight_protected() -> None:
    """Berlin 20:00-21:00 local needs approval; 21:30-22:30 touches protected overnight."""
    req = make_request(
        people=[Person(id="ben", timezone="Europe/Berlin")],
        roles=[Role(name="commander", candidates=("ben",))],
        window=("2027-06-16T18:00", "2027-06-16T21:00"),  # 20:00-23:00 CEST
        suggestions=5,
        separation=0,
    )
    res = oracle_solve(req)
    assert valid_starts(res) == [
        u("2027-06-16T18:00"),
        u("2027-06-16T18:30"),
        u("2027-06-16T19:00"),
    ]
    assert res.status == "needs_approval"
    assert res.slots[0].key == (1, 0, 0, 0, 0)
    allow = make_request(
        people=[Person(id="ben", timezone="Europe/Berlin")],
        roles=[Role(name="commander", candidates=("ben",))],
        window=("2027-06-16T18:00", "2027-06-16T21:00"),
        out_of_hours="allow",
    )
    res = oracle_solve(allow)
    assert res.status == "scheduled"
    assert u("2027-06-16T19:30") not in res.valid  # 21:30-22:30 CEST overlaps 22:00


def test_night_shift_is_not_protected_from_itself() -> None:
    """A night-shift worker is eligible during their own shift, which overlaps overnight."""
    night = WeeklyHours(
        **{
            d: (TimeRange(start="22:00", end="06:00"),)
            for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        }
    )
    req = make_request(
        people=[Person(id="nia", timezone="UTC", working_hours=night)],
        roles=[Role(name="commander", candidates=("nia",))],
        window=("2027-06-16T21:00", "2027-06-17T08:00"),
        out_of_hours="forbid",
        suggestions=20,
        separation=0,
    )
    starts = valid_starts(oracle_solve(req))
    assert starts[0] == u("2027-06-16T22:00") and starts[-1] == u("2027-06-17T05:00")
    assert len(starts) == 15


def test_substitute_beats_approval_and_ids_tie_break() -> None:
    """A substitute in hours beats an out-of-hours primary; ties break on plain id strings."""
    busy = (  # x and y are busy all day
        Person(
            id="x",
            timezone="UTC",
            busy=(Busy(start=u("2027-06-16T00:00"), end=u("2027-06-17T00:00")),),
        ),
        Person(
            id="y",
            timezone="UTC",
            busy=(Busy(start=u("2027-06-16T00:00"), end=u("2027-06-17T00:00")),),
        ),
    )
    people = [*busy, Person(id="alice", timezone="UTC"), Person(id="Bob", timezone="UTC")]
    roles = [
        Role(name="comms", candidates=("y", "alice", "Bob")),
        Role(name="commander", candidates=("x", "alice", "Bob")),
    ]
    req = make_request(people=people, roles=roles, window=("2027-06-16T10:00", "2027-06-16T11:00"))
    res = oracle_solve(req)
    # commander=alice(1)+comms=Bob(2) and commander=Bob(2)+comms=alice(1) tie on depth 3;
    # ids in role-name order: ("Bob", "alice") < ("alice", "Bob") because "B" < "a".
    assert res.slots[0].key == (0, 2, 3, 0, 0)
    assert res.slots[0].assignment == {"commander": "Bob", "comms": "alice"}

    ooh = [Person(id="pri", timezone="Asia/Kolkata"), Person(id="sub", timezone="UTC")]
    req = make_request(
        people=ooh,
        roles=[Role(name="commander", candidates=("pri", "sub"))],
        window=("2027-06-16T14:00", "2027-06-16T15:00"),  # 19:30 IST: pri out of hours
    )
    res = oracle_solve(req)
    assert res.slots[0].assignment == {"commander": "sub"} and res.status == "scheduled"
    assert res.slots[0].key == (0, 1, 1, 0, 0)


def test_customer_policy_and_availability() -> None:
    """Outside customer_hours adds one approval, or forbids; availability is hard."""
    people = [Person(id="ana", timezone="UTC")]
    roles = [Role(name="commander", candidates=("ana",))]
    kolkata = Customer(account="acme", timezone="Asia/Kolkata")  # UTC+05:30
    base = dict(people=people, roles=roles, window=("2027-06-16T11:00", "2027-06-16T13:00"))
    res = oracle_solve(make_request(customer=kolkata, **base))  # 16:30-18:30 IST
    assert valid_starts(res) == [
        u("2027-06-16T11:00"),
        u("2027-06-16T11:30"),
        u("2027-06-16T12:00"),
    ]
    assert res.valid[u("2027-06-16T11:00")].key[0] == 0  # 16:30-17:30 IST
    assert res.valid[u("2027-06-16T11:30")].key[0] == 0  # ends exactly at 18:00 IST
    assert res.valid[u("2027-06-16T12:00")].key[0] == 1  # 17:30-18:30 IST: one approval
    res = oracle_solve(make_request(customer=kolkata, customer_outside_policy="forbid", **base))
    assert valid_starts(res) == [u("2027-06-16T11:00"), u("2027-06-16T11:30")]
    closed = Customer(account="acme", timezone="UTC", availability=())
    assert oracle_solve(make_request(customer=closed, **base)).status == "escalate"
    avail = Customer(
        account="acme",
        timezone="UTC",
        availability=(
            LocalWindow(date=dt.date(2027, 6, 16), start="12:00", end="12:30"),
            LocalWindow(date=dt.date(2027, 6, 16), start="12:30", end="13:00"),
        ),
        preferred=(LocalWindow(date=dt.date(2027, 6, 16), start="11:00", end="12:00"),),
    )
    res = oracle_solve(make_request(customer=avail, **base))  # touching windows merge
    assert valid_starts(res) == [u("2027-06-16T12:00")]
    assert res.slots[0].key == (0, 0, 0, 0, 1)


def test_preferred_window_that_resolves_to_nothing_still_counts() -> None:
    """A preferred 02:30-03:00 Berlin window inside the spring-forward gap is empty, so pref=1."""
    gap = LocalWindow(date=dt.date(2027, 3, 28), start="02:30", end="03:00")
    # shift_forward: 02:30 -> 03:30 CEST (01:30 UTC), 03:00 CEST is 01:00 UTC: an empty range
    assert range_to_utc(gap.date, gap.range, load_zone("Europe/Berlin"), LocalTimePolicy()) is None
    req = make_request(
        people=[Person(id="ana", timezone="UTC")],
        roles=[Role(name="commander", candidates=("ana",))],
        window=("2027-03-29T10:00", "2027-03-29T11:00"),
        customer=Customer(account="acme", timezone="Europe/Berlin", preferred=(gap,)),
        customer_hours=None,
    )
    assert oracle_solve(req).slots[0].key == (0, 0, 0, 0, 1)


def test_grid_now_and_separation() -> None:
    """Starts are ceil'd to the UTC grid after now; suggestions keep the separation."""
    req = make_request(
        people=[Person(id="ana", timezone="UTC")],
        roles=[Role(name="commander", candidates=("ana",))],
        window=("2027-06-16T09:07", "2027-06-16T17:00"),
        now="2027-06-16T10:01",
        duration=60,
        step=20,
        suggestions=3,
        separation=100,
    )
    res = oracle_solve(req)
    assert valid_starts(res)[0] == u("2027-06-16T10:20")
    assert [s.start for s in res.slots] == [
        u("2027-06-16T10:20"),
        u("2027-06-16T12:00"),
        u("2027-06-16T13:40"),
    ]


def test_on_call_touching_shifts_and_unknown_policy() -> None:
    """Touching on-call shifts form one; unknown calendars block or only penalise."""
    shifts = (
        Window(start=u("2027-06-16T10:00"), end=u("2027-06-16T10:30")),
        Window(start=u("2027-06-16T10:30"), end=u("2027-06-16T11:00")),
    )
    unknown = Busy(start=u("2027-06-16T12:00"), end=u("2027-06-16T12:05"), kind=BusyKind.unknown)
    people = [Person(id="ana", timezone="UTC", busy=(unknown,))]
    roles = [Role(name="commander", candidates=(Candidate(person="ana", on_call=shifts),))]
    req = make_request(people=people, roles=roles, window=("2027-06-16T09:00", "2027-06-16T12:00"))
    assert valid_starts(oracle_solve(req)) == [u("2027-06-16T10:00")]
    roles = [Role(name="commander", candidates=("ana",))]
    base = dict(people=people, roles=roles, window=("2027-06-16T11:30", "2027-06-16T13:00"))
    assert u("2027-06-16T11:30") not in oracle_solve(make_request(**base)).valid
    res = oracle_solve(make_request(unknown="tentative", **base))
    assert res.valid[u("2027-06-16T11:30")].key == (0, 0, 0, 1, 0)


@settings(max_examples=n(500), **PROPERTY)
@given(
    day=st.sampled_from(
        [
            dt.date(2027, 3, 14),
            dt.date(2027, 3, 28),
            dt.date(2027, 10, 31),
            dt.date(2027, 11, 7),
            dt.date(2027, 4, 4),
            dt.date(2027, 9, 26),
            dt.date(2027, 10, 3),
            dt.date(2027, 9, 4),
            dt.date(2027, 4, 3),
            dt.date(2027, 3, 27),
            dt.date(2027, 10, 30),
            dt.date(2027, 6, 1),
        ]
    ),
    minute=st.integers(0, 24 * 60),
    zone=st.sampled_from(ZONES),
    lt=local_time_policies(),
)
def test_resolve_agrees_with_scan(
    day: dt.date, minute: int, zone: str, lt: LocalTimePolicy
) -> None:
    """The oracle's fold-based resolve() agrees with the checker's UTC scan."""
    EXAMPLES["test_resolve_agrees_with_scan"] += 1
    expected = scan_resolve(day, minute, zone, lt.nonexistent, lt.ambiguous)
    if expected is None:
        with pytest.raises(OracleLocalTimeError):
            resolve(day, minute, load_zone(zone), lt)
    else:
        assert resolve(day, minute, load_zone(zone), lt) == expected


def _safe_oracle(req: BridgeRequest) -> OracleResult | None:
    try:
        return oracle_solve(req)
    except OracleLocalTimeError:
        return None


@settings(max_examples=n(100), **PROPERTY)
@given(req=bridge_requests())
def test_oracle_valid_starts_pass_checker(req: BridgeRequest) -> None:
    """Every start the oracle deems valid passes the independent checker, with the same key."""
    EXAMPLES["test_oracle_valid_starts_pass_checker"] += 1
    res = _safe_oracle(req)
    if res is None:
        return
    for start, slot in res.valid.items():
        bad, key = check_slot(req, start, slot.assignment)
        assert bad == [], (start, bad)
        assert key == slot.key, (start, key, slot.key)


# --------------------------------------------------------------------------- #
# The engine against the oracle
# --------------------------------------------------------------------------- #
def _engine() -> Any:
    bridge_sched = pytest.importorskip("bridge_sched")
    if not hasattr(bridge_sched, "solve"):
        pytest.skip("bridge_sched.solve is not implemented yet")
    from bridge_sched.errors import LocalTimeError

    return bridge_sched.solve, LocalTimeError


def _run_both(req: BridgeRequest) -> tuple[Any, OracleResult] | None:
    """Solve with engine and oracle; None if both raise a local-time error."""
    solve, local_time_error = _engine()
    try:
        expected = oracle_solve(req)
    except OracleLocalTimeError:
        with pytest.raises(local_time_error):
            solve(req)
        return None
    return solve(req), expected


def _engine_key(slot: Any) -> tuple[int, int, int, int, int]:
    sc = slot.score
    return (sc.approvals, sc.substitutes, sc.substitute_depth, sc.tentative, sc.customer_preference)


def _engine_assignment(slot: Any) -> dict[str, str]:
    return {a.role: a.person for a in slot.assignments}


def _describe(req: BridgeRequest) -> str:
    return req.model_dump_json()


def assert_same_as_oracle(got: Any, expected: OracleResult, req: BridgeRequest) -> None:
    """Selected starts, keys and assignments (rank 1 first) of engine and oracle agree."""
    assert [s.start for s in got.slots] == [s.start for s in expected.slots], _describe(req)
    assert [_engine_key(s) for s in got.slots] == [s.key for s in expected.slots], _describe(req)
    if expected.slots:
        assert _engine_assignment(got.slots[0]) == expected.slots[0].assignment, _describe(req)
    # every rank shows the assignment that attains its key (ids are part of the key)
    assert [_engine_assignment(s) for s in got.slots] == [s.assignment for s in expected.slots], (
        _describe(req)
    )


def assert_engine_slots_valid(got: Any, req: BridgeRequest) -> None:
    """Re-check every engine slot, its flags and score, ranks, order, separation and status."""
    d = dt.timedelta(minutes=req.meeting.duration_minutes)
    sep = dt.timedelta(minutes=req.meeting.separation)
    assert len(got.slots) <= req.meeting.suggestions
    assert [s.rank for s in got.slots] == list(range(1, len(got.slots) + 1))
    positions = {r.name: [c.person for c in r.candidates] for r in req.roles}
    people = {p.id: p for p in req.people}
    full_keys = []
    for slot in got.slots:
        assignment = _engine_assignment(slot)
        bad, key = check_slot(req, slot.start, assignment)
        assert bad == [], (slot.rank, bad, _describe(req))
        assert key == _engine_key(slot), (slot.rank, key, _describe(req))
        assert slot.end == slot.start + d
        assert slot.score.start == slot.start
        for a in slot.assignments:
            assert a.pool_position == positions[a.role].index(a.person)
            assert a.primary == (a.pool_position == 0)
            facts = person_facts(req, people[a.person], slot.start)
            assert a.in_working_hours == (not facts["out_of_hours"]), (a, _describe(req))
            assert a.tentative_conflict == facts["tentative_conflict"], (a, _describe(req))
        ids = tuple(assignment[name] for name in sorted(assignment))
        full_keys.append((*key, slot.start, ids))
    assert full_keys == sorted(full_keys), "slots are not in key order"
    for i, a in enumerate(got.slots):
        for b in got.slots[i + 1 :]:
            assert abs(a.start - b.start) >= sep, (a.start, b.start)
    if not got.slots:
        assert got.status.value == "escalate"
    else:
        approvals = got.slots[0].score.approvals
        assert got.status.value == ("needs_approval" if approvals else "scheduled")


@settings(max_examples=n(300), **PROPERTY)
@given(req=bridge_requests())
def test_status_matches_oracle(req: BridgeRequest) -> None:
    """(a) The engine's status equals the oracle's."""
    EXAMPLES["test_status_matches_oracle"] += 1
    both = _run_both(req)
    if both is None:
        return
    got, expected = both
    assert got.status.value == expected.status, _describe(req)


@settings(max_examples=n(300), **PROPERTY)
@given(req=bridge_requests())
def test_slots_match_oracle(req: BridgeRequest) -> None:
    """(b) Selected starts, their keys and the rank-1 assignment equal the oracle's."""
    EXAMPLES["test_slots_match_oracle"] += 1
    both = _run_both(req)
    if both is None:
        return
    got, expected = both
    assert_same_as_oracle(got, expected, req)


@settings(max_examples=n(300), **PROPERTY)
@given(req=bridge_requests())
def test_engine_slots_satisfy_hard_rules(req: BridgeRequest) -> None:
    """(c) Every engine slot passes the independent minute-by-minute hard-rule checker."""
    EXAMPLES["test_engine_slots_satisfy_hard_rules"] += 1
    solve, local_time_error = _engine()
    try:
        got = solve(req)
    except local_time_error:
        return
    assert_engine_slots_valid(got, req)


@settings(max_examples=n(250), **PROPERTY)
@given(req=dst_night_requests())
def test_dst_nights_match_oracle(req: BridgeRequest) -> None:
    """(a)+(b)+(c) on windows over a DST change night with rules at the skipped/repeated times."""
    EXAMPLES["test_dst_nights_match_oracle"] += 1
    both = _run_both(req)
    if both is None:
        return
    got, expected = both
    assert got.status.value == expected.status, _describe(req)
    assert_same_as_oracle(got, expected, req)
    assert_engine_slots_valid(got, req)


def _customer_window_request(window_start: dt.datetime) -> BridgeRequest:
    """A 6-hour window; the customer is available from 01:30 on the NY fall-back date."""
    return BridgeRequest(
        incident=Incident(id="INC-9", severity="sev1", component="api"),
        now=window_start,
        window=Window(start=window_start, end=window_start + dt.timedelta(hours=6)),
        meeting=Meeting(duration_minutes=60, step_minutes=30),
        roles=(Role(name="commander", candidates=("ana",)),),
        people=(Person(id="ana", timezone="UTC"),),
        customer=Customer(
            account="acme",
            timezone=NY,
            availability=(LocalWindow(date=dt.date(2027, 11, 7), start="01:30", end="05:00"),),
        ),
        policy=Policy(customer_hours=None, local_times=LocalTimePolicy(ambiguous="raise")),
    )


def test_engine_raises_for_ambiguous_customer_window_in_range() -> None:
    """Under ambiguous=raise, a repeated 01:30 customer window within the date range raises."""
    solve, local_time_error = _engine()
    req = _customer_window_request(u("2027-11-09T12:00"))  # 11-07 is two days before
    with pytest.raises(OracleLocalTimeError):
        oracle_solve(req)
    with pytest.raises(local_time_error):
        solve(req)


def test_engine_ignores_customer_window_outside_date_range() -> None:
    """A customer window three days after the window is never evaluated, so it cannot raise."""
    solve, _ = _engine()
    req = _customer_window_request(u("2027-11-04T12:00"))  # 11-07 is three days after
    assert oracle_solve(req).status == "escalate"
    assert solve(req).status.value == "escalate"


def test_engine_evaluates_two_local_dates_before_the_window() -> None:
    """Under raise, Sat 22:00-01:30 (ends at a repeated 01:30) counts for a Mon 23:00 window."""
    solve, local_time_error = _engine()
    saturday_night = WeeklyHours(sat=(TimeRange(start="22:00", end="01:30"),))
    req = make_request(
        people=[Person(id="ana", timezone=NY, working_hours=saturday_night)],
        roles=[Role(name="commander", candidates=("ana",))],
        window=("2027-11-09T04:00", "2027-11-09T06:00"),  # Mon 2027-11-08 23:00 EST
        local_times=LocalTimePolicy(ambiguous="raise"),
    )
    with pytest.raises(OracleLocalTimeError):
        oracle_solve(req)
    with pytest.raises(local_time_error):
        solve(req)


@pytest.mark.parametrize(
    "window",
    [
        ("2027-11-07T01:00", "2027-11-07T12:00"),  # NY fall-back night
        ("2027-03-14T01:00", "2027-03-14T12:00"),  # NY spring-forward night
        ("2027-10-30T22:00", "2027-10-31T06:00"),  # EU fall-back night
    ],
)
def test_engine_matches_oracle_on_dst_nights(window: tuple[str, str]) -> None:
    """Engine and oracle agree on night shifts and 01:30-03:00 hours across DST nights."""
    solve, _ = _engine()
    every_day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    people = [
        Person(
            id="nia",
            timezone=NY,
            working_hours=WeeklyHours(
                **{d: (TimeRange(start="22:00", end="06:00"),) for d in every_day}
            ),
        ),
        Person(
            id="Leo",
            timezone="Europe/London",
            working_hours=WeeklyHours(
                **{d: (TimeRange(start="01:30", end="03:00"),) for d in every_day}
            ),
        ),
        Person(
            id="ben",
            timezone="Europe/Berlin",
            working_hours=WeeklyHours(
                **{d: (TimeRange(start="00:00", end="24:00"),) for d in every_day}
            ),
        ),
    ]
    roles = [
        Role(name="commander", candidates=("nia", "ben")),
        Role(name="comms", candidates=("Leo", "ben")),
    ]
    for ambiguous in ("earlier", "later"):
        req = make_request(
            people=people,
            roles=roles,
            window=window,
            duration=60,
            step=15,
            suggestions=5,
            separation=45,
            local_times=LocalTimePolicy(ambiguous=ambiguous),
        )
        expected = oracle_solve(req)
        got = solve(req)
        assert got.status.value == expected.status
        assert [(s.start, _engine_key(s), _engine_assignment(s)) for s in got.slots] == [
            (s.start, s.key, s.assignment) for s in expected.slots
        ]
