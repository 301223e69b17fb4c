"""Hypothesis strategies for small, valid :class:`~bridge_sched.model.BridgeRequest` objects.

The requests are small on purpose (windows of a few hours to ~1.5 days, a
15-60 minute grid, <= 3 roles, <= 5 people) so that the brute-force oracle in
``tests/oracle.py`` stays fast.  Dates cluster around the 2027 DST changes of
the zones used (New York, Berlin/London, Lord Howe, Chatham) and the clock
times used in local rules include the skipped/repeated hours, so DST edge cases
come up often.  Every instant is minute-aligned; ``now`` and ``window.start``
need not be on the step grid.

:func:`dst_night_requests` focuses on one DST change: the window covers the
night of the change in one zone and the local rules start or end inside (or at
the edges of) the skipped or repeated hour.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from bridge_sched.model import (
    BridgeRequest,
    Busy,
    BusyKind,
    Candidate,
    Customer,
    DateOverride,
    Incident,
    LocalTimePolicy,
    LocalWindow,
    Meeting,
    Person,
    Policy,
    Role,
    Severity,
    TimeRange,
    WeeklyHours,
    Window,
)

__all__ = [
    "BASE_DATES",
    "TRANSITIONS",
    "ZONES",
    "Transition",
    "bridge_requests",
    "clock_ranges",
    "dst_night_requests",
    "local_time_policies",
    "policies",
]

UTC = dt.timezone.utc

ZONES = (
    "America/New_York",
    "Europe/Berlin",
    "Europe/London",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "America/Santiago",
    "Asia/Beirut",
    "UTC",
)

# 2027 DST changes: US spring/fall (03-14, 11-07), EU (03-28, 10-31),
# Lord Howe / Chatham (04-04 back, 10-03 / 09-26 forward), plus ordinary days.
BASE_DATES = (
    dt.date(2027, 3, 14),
    dt.date(2027, 3, 28),
    dt.date(2027, 10, 31),
    dt.date(2027, 11, 7),
    dt.date(2027, 4, 4),
    dt.date(2027, 9, 26),
    dt.date(2027, 10, 3),
    dt.date(2027, 3, 15),
    dt.date(2027, 6, 16),
    dt.date(2027, 1, 8),
)

PERSON_IDS = ("alice", "Bob", "carol", "dave.2", "eve-x")
ROLE_NAMES = ("scribe", "commander", "comms", "customer_liaison", "sme")

# Clock minutes used in local rules: ordinary hours plus the DST-critical ones
# (01:00-03:45 cover the NY/EU/Lord Howe/Chatham gaps and repeats).
_CLOCKS = sorted(
    {h * 60 for h in range(24)}
    | {60 + 30, 120, 120 + 15, 120 + 30, 120 + 45, 180 + 15, 180 + 45, 22 * 60 + 30, 7 * 60 + 30}
)

# Wall times skipped or repeated on some 2027 transition date of a zone above.
_CRITICAL = (60, 90, 120, 135, 150, 165, 180, 195, 210, 225)


@dataclass(frozen=True)
class Transition:
    """A 2027 DST change: zone, the date whose night has it, wall times it skips/repeats."""

    zone: str
    date: dt.date
    clocks: tuple[int, ...]


TRANSITIONS = (
    Transition("America/New_York", dt.date(2027, 3, 14), (120, 135, 150, 180)),  # gap 02-03
    Transition("America/New_York", dt.date(2027, 11, 7), (60, 75, 90, 120)),  # repeat 01-02
    Transition("Europe/Berlin", dt.date(2027, 3, 28), (120, 150, 180)),  # gap 02-03
    Transition("Europe/Berlin", dt.date(2027, 10, 31), (120, 150, 180)),  # repeat 02-03
    Transition("Europe/London", dt.date(2027, 3, 28), (60, 90, 120)),  # gap 01-02
    Transition("Europe/London", dt.date(2027, 10, 31), (60, 90, 120)),  # repeat 01-02
    Transition("Australia/Lord_Howe", dt.date(2027, 10, 3), (120, 135, 150)),  # gap 02-02:30
    Transition("Australia/Lord_Howe", dt.date(2027, 4, 4), (90, 105, 120)),  # repeat 01:30-02
    Transition("Pacific/Chatham", dt.date(2027, 9, 26), (165, 180, 210, 225)),  # gap 02:45-03:45
    Transition("Pacific/Chatham", dt.date(2027, 4, 4), (165, 180, 210, 225)),  # repeat same
    # changes at local midnight: 24:00 / 00:00 are skipped or repeated
    Transition("America/Santiago", dt.date(2027, 9, 5), (0, 30, 60, 1410)),  # gap 00-01
    Transition("America/Santiago", dt.date(2027, 4, 4), (1380, 1410, 0)),  # 04-03 23-24 twice
    Transition("Asia/Beirut", dt.date(2027, 3, 28), (0, 30, 60, 1410)),  # gap 00-01
    Transition("Asia/Beirut", dt.date(2027, 10, 31), (1380, 1410, 0)),  # 10-30 23-24 twice
)

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@st.composite
def clock_ranges(draw: st.DrawFn, clocks: tuple[int, ...] | None = None) -> TimeRange:
    """A local clock range; may cross midnight or end at 24:00.

    Endpoints come from ordinary clock times and, sometimes, DST-critical ones
    (``clocks`` if given, which then dominate).
    """
    ordinary = st.sampled_from(_CLOCKS)
    if clocks is None:
        pool = st.one_of(ordinary, ordinary, ordinary, st.sampled_from(_CRITICAL))
    else:
        pool = st.one_of(st.sampled_from(clocks), st.sampled_from(clocks), ordinary)
    start = draw(pool)
    end = draw(st.one_of(pool, st.just(24 * 60)))
    if end % (24 * 60) == start:
        end = 24 * 60
    return TimeRange(start=_clock(start), end=_clock(end))


@st.composite
def office_ranges(draw: st.DrawFn) -> TimeRange:
    """A typical day-time range: starts 06:00-12:00, lasts 6-10 hours."""
    start = draw(st.integers(12, 24)) * 30
    end = start + draw(st.integers(12, 20)) * 30
    return TimeRange(start=_clock(start), end=_clock(end))


@st.composite
def split_ranges(draw: st.DrawFn, clocks: tuple[int, ...] | None = None) -> tuple[TimeRange, ...]:
    """Two ranges that touch (a-b, b-c), e.g. a split shift or 22:00-24:00 + 00:00-06:00."""
    if draw(st.booleans()):
        return (TimeRange(start="22:00", end="24:00"), TimeRange(start="00:00", end="06:00"))
    a = draw(st.sampled_from(clocks or _CLOCKS))
    b = (a + draw(st.integers(1, 12)) * 30) % (24 * 60)
    c = (b + draw(st.integers(1, 12)) * 30) % (24 * 60)
    return (
        TimeRange(start=_clock(a), end=_clock(b) if b else "24:00"),
        TimeRange(start=_clock(b), end=_clock(c) if c else "24:00"),
    )


@st.composite
def weekly_hours(
    draw: st.DrawFn, clocks: tuple[int, ...] | None = None, friendly: bool = False
) -> WeeklyHours:
    """Default 9-5, office-like, split/touching, or wild ranges (0-2 per weekday)."""
    if friendly:
        kind = draw(st.sampled_from(["default", "office"]))
    elif clocks is None:
        kind = draw(st.sampled_from(["default", "office", "office", "split", "wild"]))
    else:
        kind = draw(st.sampled_from(["default", "split", "wild", "wild"]))
    if kind == "default":
        return WeeklyHours()
    if kind == "split":
        pair = draw(split_ranges(clocks))
        return WeeklyHours(**{day: pair for day in _DAYS})
    ranges = office_ranges() if kind == "office" else clock_ranges(clocks)
    days = {}
    for name in _DAYS:
        days[name] = tuple(draw(st.lists(ranges, min_size=kind == "office", max_size=2)))
    return WeeklyHours(**days)


def _instant(base: dt.datetime, lo_min: int, hi_min: int, grain: int = 15) -> st.SearchStrategy:
    return st.integers(lo_min // grain, hi_min // grain).map(
        lambda k: base + dt.timedelta(minutes=k * grain)
    )


@st.composite
def busy_intervals(draw: st.DrawFn, w_start: dt.datetime, w_end: dt.datetime) -> Busy:
    """A busy interval of any kind near the window."""
    span = int((w_end - w_start).total_seconds() // 60)
    start = draw(_instant(w_start, -120, span + 60, grain=5))
    length = draw(st.integers(1, 24)) * 5
    kind = draw(st.sampled_from(list(BusyKind)))
    return Busy(start=start, end=start + dt.timedelta(minutes=length), kind=kind)


@st.composite
def on_call_windows(
    draw: st.DrawFn, w_start: dt.datetime, w_end: dt.datetime
) -> tuple[Window, ...]:
    """1-2 on-call shifts near the window; the second one sometimes touches the first.

    (An empty ``on_call`` list is rejected by input validation: use ``null``.)
    """
    span = int((w_end - w_start).total_seconds() // 60)
    out: list[Window] = []
    for _ in range(draw(st.integers(1, 2))):
        touching = bool(out) and draw(st.booleans())  # touching shifts form one
        start = out[-1].end if touching else draw(_instant(w_start, -240, span))
        length = draw(st.integers(1, 40)) * 30
        out.append(Window(start=start, end=start + dt.timedelta(minutes=length)))
    return tuple(out)


@st.composite
def local_windows(
    draw: st.DrawFn, base: dt.date, clocks: tuple[int, ...] | None = None
) -> LocalWindow:
    """A customer local window on a date near ``base``."""
    if clocks is None:
        day = base + dt.timedelta(days=draw(st.integers(-1, 2)))
        rng = draw(st.one_of(clock_ranges(), office_ranges()))
    else:
        day = base + dt.timedelta(days=draw(st.integers(-1, 0)))
        rng = draw(clock_ranges(clocks))
    return LocalWindow(date=day, start=rng.start, end=rng.end)


@st.composite
def local_time_policies(draw: st.DrawFn) -> LocalTimePolicy:
    """Mostly the default ``compatible`` policy, sometimes ``later`` or ``raise``."""
    nonexistent = draw(st.sampled_from(["shift_forward"] * 5 + ["raise"]))
    ambiguous = draw(st.sampled_from(["earlier"] * 3 + ["later"] * 2 + ["raise"]))
    return LocalTimePolicy(nonexistent=nonexistent, ambiguous=ambiguous)


@st.composite
def policies(draw: st.DrawFn, clocks: tuple[int, ...] | None = None) -> Policy:
    """A random policy; every Literal option occurs."""
    # (hypothesis shrinks towards the first option: keep the defaults first)
    ooh = ["needs_approval", "needs_approval", "forbid", "allow"]
    if clocks is not None:
        ooh = ["needs_approval", "forbid", "forbid", "allow"]  # make W's edges matter
    kwargs: dict[str, object] = {
        "out_of_hours": draw(st.sampled_from(ooh)),
        "tentative": draw(st.sampled_from(["allow", "forbid"])),
        "unknown": draw(st.sampled_from(["unavailable", "tentative"])),
        "substitution": draw(st.sampled_from(["allow", "needs_approval"])),
        "customer_outside_policy": draw(st.sampled_from(["needs_approval", "forbid"])),
        "local_times": draw(local_time_policies()),
    }
    if draw(st.integers(0, 3 if clocks is None else 1)) == 1:
        kwargs["overnight"] = draw(clock_ranges(clocks))
    choice = draw(st.integers(0, 2))
    if choice == 1:
        kwargs["customer_hours"] = None
    elif choice == 2:
        kwargs["customer_hours"] = draw(clock_ranges(clocks))
    return Policy(**kwargs)


def _window_etc(
    draw: st.DrawFn, w_start: dt.datetime, length: int, duration: int, step: int
) -> tuple[dt.datetime, dt.datetime, dt.datetime, Meeting]:
    """`now`, the window edges (sometimes with seconds) and the meeting."""
    w_end = w_start + dt.timedelta(minutes=length)
    if draw(st.integers(0, 3)) != 3:
        now = w_start - dt.timedelta(minutes=draw(st.integers(0, 180)))
    else:  # inside the window, usually in its first half
        now = w_start + dt.timedelta(minutes=draw(st.integers(0, length - 1)) // 2)
    separation = draw(st.one_of(st.none(), st.integers(0, 240), st.integers(0, 24 * 60)))
    # sometimes `now` / the window edges are not whole minutes
    # (busy intervals and on-call shifts stay whole minutes: they are based on w_start/w_end)
    seconds = st.one_of(st.just(0), st.integers(1, 59))
    now += dt.timedelta(seconds=draw(seconds))
    win_start, win_end = w_start, w_end
    if length >= duration + 2:
        if draw(st.integers(0, 4)) == 0:
            win_start += dt.timedelta(seconds=draw(seconds), microseconds=draw(st.integers(0, 999)))
        if draw(st.integers(0, 4)) == 0:
            win_end -= dt.timedelta(seconds=draw(seconds))
    if now >= win_end:
        now = win_start
    meeting = Meeting(
        duration_minutes=duration,
        step_minutes=step,
        suggestions=draw(st.integers(1, 4)),
        min_separation_minutes=separation,
    )
    return now, win_start, win_end, meeting


@st.composite
def bridge_requests(draw: st.DrawFn, dst_night: bool = False) -> BridgeRequest:
    """A small random but valid bridge request (see also :func:`dst_night_requests`)."""
    clocks: tuple[int, ...] | None = None
    # "friendly" requests (one zone, office hours, day-time window) are mostly feasible,
    # so that ranking, tie-breaks and separation get exercised often
    friendly = not dst_night and draw(st.integers(0, 2)) == 0
    if dst_night:
        change = draw(st.sampled_from(TRANSITIONS))
        base, clocks = change.date, change.clocks
        zones = [change.zone, *draw(st.lists(st.sampled_from(ZONES), max_size=1))]
        step = draw(st.sampled_from([5, 15, 15, 30]))
        duration = step * draw(st.integers(1, max(1, 60 // step)))
        # starts 20:00-03:00 local on the night of the change
        local = dt.datetime.combine(base - dt.timedelta(days=1), dt.time(20)) + dt.timedelta(
            minutes=draw(st.integers(0, 28)) * 15
        )
        w_start = local.replace(tzinfo=ZoneInfo(zones[0])).astimezone(UTC)
        length = duration + draw(st.integers(1, 10)) * 60
    else:
        base = draw(st.sampled_from(BASE_DATES))
        if friendly and base.weekday() >= 5:  # most DST changes fall on a Sunday
            base += dt.timedelta(days=7 - base.weekday())
        step = draw(st.sampled_from([15, 15, 20, 30, 30, 60, 60, 10, 12]))
        duration = step * draw(st.integers(1, max(1, 120 // step)))
        # people share 1-3 zones, so that a common slot exists more often
        zones = draw(
            st.lists(st.sampled_from(ZONES), min_size=1, max_size=1 if friendly else 3, unique=True)
        )
        if friendly:
            local = dt.datetime.combine(base, dt.time(6)) + dt.timedelta(
                minutes=draw(st.integers(0, 24)) * 15
            )
            w_start = local.replace(tzinfo=ZoneInfo(zones[0])).astimezone(UTC)
        elif draw(st.integers(0, 2)):
            # anchored on the first zone's local clock: starts 00:00-20:00 local on `base`
            local = dt.datetime.combine(base, dt.time()) + dt.timedelta(
                minutes=draw(st.integers(0, 80)) * 15
            )
            w_start = local.replace(tzinfo=ZoneInfo(zones[0])).astimezone(UTC)
        else:
            # anywhere from -12 h to +24 h of the base date's UTC midnight, any minute
            offset = draw(st.integers(-720, 1440))
            w_start = dt.datetime.combine(base, dt.time(), UTC) + dt.timedelta(minutes=offset)
        length = duration + draw(
            st.one_of(
                st.integers(2 * 60, 34 * 60), st.integers(12 * 60, 34 * 60), st.integers(0, 120)
            )
        )
    w_end = w_start + dt.timedelta(minutes=length)
    now, win_start, win_end, meeting = _window_etc(draw, w_start, length, duration, step)

    n_people = draw(st.integers(1, 3 if dst_night else 5))
    people = []
    for pid in PERSON_IDS[:n_people]:
        n_over = draw(st.integers(0, 0 if friendly else 2))
        over_days = draw(
            st.lists(st.integers(-2, 2), min_size=n_over, max_size=n_over, unique=True)
        )
        overrides = tuple(
            DateOverride(
                date=base + dt.timedelta(days=k),
                hours=tuple(draw(st.lists(clock_ranges(clocks), max_size=2))),
            )
            for k in over_days
        )
        people.append(
            Person(
                id=pid,
                timezone=draw(st.sampled_from(zones)),
                working_hours=draw(weekly_hours(clocks, friendly)),
                overrides=overrides,
                busy=tuple(draw(st.lists(busy_intervals(w_start, w_end), max_size=2))),
            )
        )
    ids = [p.id for p in people]

    severity = draw(st.sampled_from(list(Severity)))
    n_roles = draw(st.integers(1, 3))
    names = draw(
        st.lists(st.sampled_from(ROLE_NAMES), min_size=n_roles, max_size=n_roles, unique=True)
    )
    pools = st.lists(st.sampled_from(ids), min_size=1, max_size=min(3, len(ids)), unique=True)
    shared = draw(pools)  # roles often share a pool in some order: equal keys, id tie-breaks
    roles = []
    for i, name in enumerate(names):
        pool = draw(st.one_of(pools, st.permutations(shared)))
        candidates = []
        for pid in pool:
            on_call = draw(st.one_of(st.none(), st.none(), on_call_windows(w_start, w_end)))
            if friendly and draw(st.integers(0, 2)):
                on_call = None
            candidates.append(Candidate(person=pid, on_call=on_call))
        required_for = draw(
            st.one_of(st.none(), st.lists(st.sampled_from(list(Severity)), unique=True).map(tuple))
        )
        if i == 0 and required_for is not None and severity not in required_for:
            required_for = None  # at least one role is required
        roles.append(Role(name=name, candidates=tuple(candidates), required_for=required_for))

    customer = None
    if draw(st.booleans()):
        availability = draw(
            st.one_of(
                st.none(),
                st.lists(local_windows(base, clocks), max_size=3).map(tuple),
            )
        )
        customer = Customer(
            account="acme",
            timezone=draw(st.sampled_from(ZONES if clocks is None else zones)),
            availability=availability,
            preferred=tuple(draw(st.lists(local_windows(base, clocks), max_size=2))),
        )

    return BridgeRequest(
        incident=Incident(id="INC-1", severity=severity, component="db"),
        now=now,
        window=Window(start=win_start, end=win_end),
        meeting=meeting,
        roles=tuple(roles),
        people=tuple(people),
        customer=customer,
        policy=draw(policies(clocks)),
    )


def dst_night_requests() -> st.SearchStrategy[BridgeRequest]:
    """Requests whose window covers one DST change night, with rules at the critical times."""
    return bridge_requests(dst_night=True)
