"""Hypothesis strategies for small, valid :class:`~bridge_sched.model.BridgeRequest` objects.

The requests are small on purpose (windows of a few hours to ~1.5 days, a
15-60 minute grid, <= 3 roles, <= 5 people) so that the brute-force oracle in
``tests/oracle.py`` stays fast.  Dates cluster around the 2027 DST changes of
the zones used (New York, Berlin/London, Lord Howe, Chatham) and the clock
times used in local rules include the skipped/repeated hours, so DST edge cases
come up often.  Every instant is minute-aligned; ``now`` and ``window.start``
need not be on the step grid.
"""

from __future__ import annotations

import datetime as dt

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
    "ZONES",
    "bridge_requests",
    "clock_ranges",
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


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@st.composite
def clock_ranges(draw: st.DrawFn) -> TimeRange:
    """A local clock range; may cross midnight or end at 24:00."""
    start = draw(st.sampled_from(_CLOCKS))
    end = draw(st.sampled_from([*_CLOCKS, 24 * 60]))
    if end % (24 * 60) == start:
        end = 24 * 60
    return TimeRange(start=_clock(start), end=_clock(end))


@st.composite
def weekly_hours(draw: st.DrawFn) -> WeeklyHours:
    """Default 9-5 hours, or random ranges (0-2 per weekday)."""
    if draw(st.booleans()):
        return WeeklyHours()
    days = {}
    for name in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
        days[name] = tuple(draw(st.lists(clock_ranges(), max_size=2)))
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
    length = draw(st.integers(1, 48)) * 5
    kind = draw(st.sampled_from(list(BusyKind)))
    return Busy(start=start, end=start + dt.timedelta(minutes=length), kind=kind)


@st.composite
def on_call_windows(draw: st.DrawFn, w_start: dt.datetime, w_end: dt.datetime) -> tuple[Window, ...]:
    """0-2 on-call shifts near the window; the second one sometimes touches the first."""
    span = int((w_end - w_start).total_seconds() // 60)
    out: list[Window] = []
    for _ in range(draw(st.integers(0, 2))):
        if out and draw(st.booleans()):
            start = out[-1].end  # touching shifts form one
        else:
            start = draw(_instant(w_start, -240, span))
        length = draw(st.integers(1, 40)) * 30
        out.append(Window(start=start, end=start + dt.timedelta(minutes=length)))
    return tuple(out)


@st.composite
def local_windows(draw: st.DrawFn, base: dt.date) -> LocalWindow:
    """A customer local window on a date near ``base``."""
    day = base + dt.timedelta(days=draw(st.integers(-1, 2)))
    rng = draw(clock_ranges())
    return LocalWindow(date=day, start=rng.start, end=rng.end)


@st.composite
def local_time_policies(draw: st.DrawFn) -> LocalTimePolicy:
    """Mostly the default ``compatible`` policy, sometimes ``later`` or ``raise``."""
    nonexistent = draw(st.sampled_from(["shift_forward"] * 5 + ["raise"]))
    ambiguous = draw(st.sampled_from(["earlier"] * 3 + ["later"] * 2 + ["raise"]))
    return LocalTimePolicy(nonexistent=nonexistent, ambiguous=ambiguous)


@st.composite
def policies(draw: st.DrawFn) -> Policy:
    """A random policy; every Literal option occurs."""
    kwargs: dict[str, object] = {
        "out_of_hours": draw(st.sampled_from(["forbid", "needs_approval", "allow"])),
        "tentative": draw(st.sampled_from(["allow", "forbid"])),
        "unknown": draw(st.sampled_from(["unavailable", "tentative"])),
        "substitution": draw(st.sampled_from(["allow", "needs_approval"])),
        "customer_outside_policy": draw(st.sampled_from(["needs_approval", "forbid"])),
        "local_times": draw(local_time_policies()),
    }
    if draw(st.booleans()):
        kwargs["overnight"] = draw(clock_ranges())
    choice = draw(st.integers(0, 2))
    if choice == 1:
        kwargs["customer_hours"] = None
    elif choice == 2:
        kwargs["customer_hours"] = draw(clock_ranges())
    return Policy(**kwargs)


@st.composite
def bridge_requests(draw: st.DrawFn) -> BridgeRequest:
    """A small random but valid bridge request."""
    base = draw(st.sampled_from(BASE_DATES))
    step = draw(st.sampled_from([15, 20, 30, 60]))
    duration = step * draw(st.integers(1, max(1, 120 // step)))
    # window: starts between -12 h and +24 h of the base date's UTC midnight, any minute
    w_start = dt.datetime.combine(base, dt.time(), UTC) + dt.timedelta(
        minutes=draw(st.integers(-12 * 60, 24 * 60))
    )
    length = duration + draw(st.integers(0, 34 * 60))
    w_end = w_start + dt.timedelta(minutes=length)
    if draw(st.booleans()):
        now = w_start - dt.timedelta(minutes=draw(st.integers(0, 180)))
    else:
        now = w_start + dt.timedelta(minutes=draw(st.integers(0, length - 1)))
    separation = draw(st.one_of(st.none(), st.integers(0, 240)))
    meeting = Meeting(
        duration_minutes=duration,
        step_minutes=step,
        suggestions=draw(st.integers(1, 4)),
        min_separation_minutes=separation,
    )

    n_people = draw(st.integers(1, 5))
    people = []
    for pid in PERSON_IDS[:n_people]:
        n_over = draw(st.integers(0, 2))
        over_days = draw(
            st.lists(st.integers(-2, 2), min_size=n_over, max_size=n_over, unique=True)
        )
        overrides = tuple(
            DateOverride(
                date=base + dt.timedelta(days=k),
                hours=tuple(draw(st.lists(clock_ranges(), max_size=2))),
            )
            for k in over_days
        )
        people.append(
            Person(
                id=pid,
                timezone=draw(st.sampled_from(ZONES)),
                working_hours=draw(weekly_hours()),
                overrides=overrides,
                busy=tuple(draw(st.lists(busy_intervals(w_start, w_end), max_size=3))),
            )
        )
    ids = [p.id for p in people]

    severity = draw(st.sampled_from(list(Severity)))
    n_roles = draw(st.integers(1, 3))
    names = draw(st.lists(st.sampled_from(ROLE_NAMES), min_size=n_roles, max_size=n_roles, unique=True))
    roles = []
    for i, name in enumerate(names):
        pool = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=min(3, len(ids)), unique=True))
        candidates = []
        for pid in pool:
            on_call = draw(st.one_of(st.none(), st.none(), on_call_windows(w_start, w_end)))
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
                st.lists(local_windows(base), max_size=3).map(tuple),
            )
        )
        customer = Customer(
            account="acme",
            timezone=draw(st.sampled_from(ZONES)),
            availability=availability,
            preferred=tuple(draw(st.lists(local_windows(base), max_size=2))),
        )

    return BridgeRequest(
        incident=Incident(id="INC-1", severity=severity, component="db"),
        now=now,
        window=Window(start=w_start, end=w_end),
        meeting=meeting,
        roles=tuple(roles),
        people=tuple(people),
        customer=customer,
        policy=draw(policies()),
    )
