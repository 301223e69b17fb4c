"""DST correctness of bridge_sched.timegrid, with hand-computed UTC instants.

Every expected instant below is a literal worked out by hand from the 2027 IANA
rules (checked against zoneinfo once, while writing the tests):

=================== ============================== ==============================
zone                spring forward (2027)          fall back (2027)
=================== ============================== ==============================
America/New_York    03-14 02:00 EST -> 03:00 EDT   11-07 02:00 EDT -> 01:00 EST
Europe/Berlin       03-28 02:00 CET -> 03:00 CEST  10-31 03:00 CEST -> 02:00 CET
Europe/London       03-28 01:00 GMT -> 02:00 BST   10-31 02:00 BST -> 01:00 GMT
Australia/Sydney    10-03 02:00 +10 -> 03:00 +11   04-04 03:00 +11 -> 02:00 +10
Australia/Lord_Howe 10-03 02:00 +10:30 -> 02:30 +11 04-04 02:00 +11 -> 01:30 +10:30
Pacific/Chatham     09-26 02:45 +12:45 -> 03:45    04-04 03:45 +13:45 -> 02:45
                    +13:45                         +12:45
Asia/Kolkata        none (+05:30 all year)         none
Asia/Kathmandu      none (+05:45 all year)         none
=================== ============================== ==============================
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Literal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bridge_sched import (
    BridgeRequest,
    Candidate,
    DateOverride,
    Incident,
    InputError,
    LocalTimeError,
    LocalTimePolicy,
    LocalWindow,
    Meeting,
    Person,
    Policy,
    Role,
    Severity,
    Status,
    TimeRange,
    WeeklyHours,
    Window,
    solve,
)
from bridge_sched.timegrid import local_rule_intervals, local_window_intervals, resolve_local

UTC = dt.timezone.utc

DEFAULT = LocalTimePolicy()
STRICT = LocalTimePolicy(nonexistent="raise", ambiguous="raise")
NINE_TO_FIVE = TimeRange(start="09:00", end="17:00")
OVERNIGHT = TimeRange(start="22:00", end="07:00")
NIGHT_SHIFT = TimeRange(start="22:00", end="06:00")

ZONES = (
    "America/New_York",
    "Europe/Berlin",
    "Europe/London",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Asia/Kolkata",
    "Asia/Kathmandu",
)

TRANSITION_DATES = (
    dt.date(2027, 3, 14),
    dt.date(2027, 11, 7),
    dt.date(2027, 3, 28),
    dt.date(2027, 10, 31),
    dt.date(2027, 4, 4),
    dt.date(2027, 10, 3),
    dt.date(2027, 9, 26),
)

Intervals = list[tuple[dt.datetime, dt.datetime]]


def _rule(tz: ZoneInfo, date: dt.date, rng: TimeRange, policy: LocalTimePolicy) -> Intervals:
    return local_rule_intervals(tz, date, date, lambda _d: (rng,), policy, "test.rule")


def _window(tz: ZoneInfo, date: dt.date, rng: TimeRange, policy: LocalTimePolicy) -> Intervals:
    window = LocalWindow(date=date, start=rng.start, end=rng.end)
    return local_window_intervals(tz, (window,), policy, "test.window")


VIA: dict[str, Callable[[ZoneInfo, dt.date, TimeRange, LocalTimePolicy], Intervals]] = {
    "rule": _rule,
    "window": _window,
}


# --------------------------------------------------------------------------------------
# Working hours 09:00-17:00 on transition days
# --------------------------------------------------------------------------------------

WORKING_DAY = [
    # America/New_York: EDT (-04:00) on 03-14, EST (-05:00) on 11-07
    ("America/New_York", dt.date(2027, 3, 14),
     dt.datetime(2027, 3, 14, 13, 0, tzinfo=UTC), dt.datetime(2027, 3, 14, 21, 0, tzinfo=UTC)),
    ("America/New_York", dt.date(2027, 11, 7),
     dt.datetime(2027, 11, 7, 14, 0, tzinfo=UTC), dt.datetime(2027, 11, 7, 22, 0, tzinfo=UTC)),
    # Europe/Berlin: CEST (+02:00) on 03-28, CET (+01:00) on 10-31
    ("Europe/Berlin", dt.date(2027, 3, 28),
     dt.datetime(2027, 3, 28, 7, 0, tzinfo=UTC), dt.datetime(2027, 3, 28, 15, 0, tzinfo=UTC)),
    ("Europe/Berlin", dt.date(2027, 10, 31),
     dt.datetime(2027, 10, 31, 8, 0, tzinfo=UTC), dt.datetime(2027, 10, 31, 16, 0, tzinfo=UTC)),
    # Europe/London: BST (+01:00) on 03-28, GMT on 10-31
    ("Europe/London", dt.date(2027, 3, 28),
     dt.datetime(2027, 3, 28, 8, 0, tzinfo=UTC), dt.datetime(2027, 3, 28, 16, 0, tzinfo=UTC)),
    ("Europe/London", dt.date(2027, 10, 31),
     dt.datetime(2027, 10, 31, 9, 0, tzinfo=UTC), dt.datetime(2027, 10, 31, 17, 0, tzinfo=UTC)),
    # Australia/Sydney: AEST (+10:00) on 04-04, AEDT (+11:00) on 10-03
    ("Australia/Sydney", dt.date(2027, 4, 4),
     dt.datetime(2027, 4, 3, 23, 0, tzinfo=UTC), dt.datetime(2027, 4, 4, 7, 0, tzinfo=UTC)),
    ("Australia/Sydney", dt.date(2027, 10, 3),
     dt.datetime(2027, 10, 2, 22, 0, tzinfo=UTC), dt.datetime(2027, 10, 3, 6, 0, tzinfo=UTC)),
    # Australia/Lord_Howe: +10:30 on 04-04, +11:00 on 10-03
    ("Australia/Lord_Howe", dt.date(2027, 4, 4),
     dt.datetime(2027, 4, 3, 22, 30, tzinfo=UTC), dt.datetime(2027, 4, 4, 6, 30, tzinfo=UTC)),
    ("Australia/Lord_Howe", dt.date(2027, 10, 3),
     dt.datetime(2027, 10, 2, 22, 0, tzinfo=UTC), dt.datetime(2027, 10, 3, 6, 0, tzinfo=UTC)),
    # Pacific/Chatham: +12:45 on 04-04, +13:45 on 09-26
    ("Pacific/Chatham", dt.date(2027, 4, 4),
     dt.datetime(2027, 4, 3, 20, 15, tzinfo=UTC), dt.datetime(2027, 4, 4, 4, 15, tzinfo=UTC)),
    ("Pacific/Chatham", dt.date(2027, 9, 26),
     dt.datetime(2027, 9, 25, 19, 15, tzinfo=UTC), dt.datetime(2027, 9, 26, 3, 15, tzinfo=UTC)),
    # Asia/Kolkata: +05:30 on every date
    ("Asia/Kolkata", dt.date(2027, 3, 14),
     dt.datetime(2027, 3, 14, 3, 30, tzinfo=UTC), dt.datetime(2027, 3, 14, 11, 30, tzinfo=UTC)),
    ("Asia/Kolkata", dt.date(2027, 11, 7),
     dt.datetime(2027, 11, 7, 3, 30, tzinfo=UTC), dt.datetime(2027, 11, 7, 11, 30, tzinfo=UTC)),
    ("Asia/Kolkata", dt.date(2027, 3, 28),
     dt.datetime(2027, 3, 28, 3, 30, tzinfo=UTC), dt.datetime(2027, 3, 28, 11, 30, tzinfo=UTC)),
    ("Asia/Kolkata", dt.date(2027, 10, 31),
     dt.datetime(2027, 10, 31, 3, 30, tzinfo=UTC), dt.datetime(2027, 10, 31, 11, 30, tzinfo=UTC)),
    ("Asia/Kolkata", dt.date(2027, 4, 4),
     dt.datetime(2027, 4, 4, 3, 30, tzinfo=UTC), dt.datetime(2027, 4, 4, 11, 30, tzinfo=UTC)),
    ("Asia/Kolkata", dt.date(2027, 10, 3),
     dt.datetime(2027, 10, 3, 3, 30, tzinfo=UTC), dt.datetime(2027, 10, 3, 11, 30, tzinfo=UTC)),
    ("Asia/Kolkata", dt.date(2027, 9, 26),
     dt.datetime(2027, 9, 26, 3, 30, tzinfo=UTC), dt.datetime(2027, 9, 26, 11, 30, tzinfo=UTC)),
    # Asia/Kathmandu: +05:45 on every date
    ("Asia/Kathmandu", dt.date(2027, 3, 14),
     dt.datetime(2027, 3, 14, 3, 15, tzinfo=UTC), dt.datetime(2027, 3, 14, 11, 15, tzinfo=UTC)),
    ("Asia/Kathmandu", dt.date(2027, 11, 7),
     dt.datetime(2027, 11, 7, 3, 15, tzinfo=UTC), dt.datetime(2027, 11, 7, 11, 15, tzinfo=UTC)),
    ("Asia/Kathmandu", dt.date(2027, 3, 28),
     dt.datetime(2027, 3, 28, 3, 15, tzinfo=UTC), dt.datetime(2027, 3, 28, 11, 15, tzinfo=UTC)),
    ("Asia/Kathmandu", dt.date(2027, 10, 31),
     dt.datetime(2027, 10, 31, 3, 15, tzinfo=UTC), dt.datetime(2027, 10, 31, 11, 15, tzinfo=UTC)),
    ("Asia/Kathmandu", dt.date(2027, 4, 4),
     dt.datetime(2027, 4, 4, 3, 15, tzinfo=UTC), dt.datetime(2027, 4, 4, 11, 15, tzinfo=UTC)),
    ("Asia/Kathmandu", dt.date(2027, 10, 3),
     dt.datetime(2027, 10, 3, 3, 15, tzinfo=UTC), dt.datetime(2027, 10, 3, 11, 15, tzinfo=UTC)),
    ("Asia/Kathmandu", dt.date(2027, 9, 26),
     dt.datetime(2027, 9, 26, 3, 15, tzinfo=UTC), dt.datetime(2027, 9, 26, 11, 15, tzinfo=UTC)),
]  # fmt: skip


@pytest.mark.parametrize("via", sorted(VIA))
@pytest.mark.parametrize("policy", [DEFAULT, STRICT], ids=["default", "strict"])
@pytest.mark.parametrize(("zone", "date", "start", "end"), WORKING_DAY)
def test_working_day_on_transition_date(
    zone: str,
    date: dt.date,
    start: dt.datetime,
    end: dt.datetime,
    policy: LocalTimePolicy,
    via: str,
) -> None:
    """09:00-17:00 on a DST transition date is exactly the hand-computed 8-hour UTC interval."""
    got = VIA[via](ZoneInfo(zone), date, NINE_TO_FIVE, policy)
    assert got == [(start, end)]
    assert got[0][1] - got[0][0] == dt.timedelta(hours=8)


# --------------------------------------------------------------------------------------
# Overnight 22:00-07:00: the night into the transition date and the night out of it
# --------------------------------------------------------------------------------------

OVERNIGHT_NIGHTS = [
    # zone, transition date D, [night D-1 -> D, night D -> D+1], real hours of night D-1 -> D
    ("America/New_York", dt.date(2027, 3, 14), [
        (dt.datetime(2027, 3, 14, 3, 0, tzinfo=UTC), dt.datetime(2027, 3, 14, 11, 0, tzinfo=UTC)),
        (dt.datetime(2027, 3, 15, 2, 0, tzinfo=UTC), dt.datetime(2027, 3, 15, 11, 0, tzinfo=UTC)),
    ], 8.0),
    ("America/New_York", dt.date(2027, 11, 7), [
        (dt.datetime(2027, 11, 7, 2, 0, tzinfo=UTC), dt.datetime(2027, 11, 7, 12, 0, tzinfo=UTC)),
        (dt.datetime(2027, 11, 8, 3, 0, tzinfo=UTC), dt.datetime(2027, 11, 8, 12, 0, tzinfo=UTC)),
    ], 10.0),
    ("Europe/Berlin", dt.date(2027, 3, 28), [
        (dt.datetime(2027, 3, 27, 21, 0, tzinfo=UTC), dt.datetime(2027, 3, 28, 5, 0, tzinfo=UTC)),
        (dt.datetime(2027, 3, 28, 20, 0, tzinfo=UTC), dt.datetime(2027, 3, 29, 5, 0, tzinfo=UTC)),
    ], 8.0),
    ("Europe/Berlin", dt.date(2027, 10, 31), [
        (dt.datetime(2027, 10, 30, 20, 0, tzinfo=UTC), dt.datetime(2027, 10, 31, 6, 0, tzinfo=UTC)),
        (dt.datetime(2027, 10, 31, 21, 0, tzinfo=UTC), dt.datetime(2027, 11, 1, 6, 0, tzinfo=UTC)),
    ], 10.0),
    ("Europe/London", dt.date(2027, 3, 28), [
        (dt.datetime(2027, 3, 27, 22, 0, tzinfo=UTC), dt.datetime(2027, 3, 28, 6, 0, tzinfo=UTC)),
        (dt.datetime(2027, 3, 28, 21, 0, tzinfo=UTC), dt.datetime(2027, 3, 29, 6, 0, tzinfo=UTC)),
    ], 8.0),
    ("Europe/London", dt.date(2027, 10, 31), [
        (dt.datetime(2027, 10, 30, 21, 0, tzinfo=UTC), dt.datetime(2027, 10, 31, 7, 0, tzinfo=UTC)),
        (dt.datetime(2027, 10, 31, 22, 0, tzinfo=UTC), dt.datetime(2027, 11, 1, 7, 0, tzinfo=UTC)),
    ], 10.0),
    ("Australia/Sydney", dt.date(2027, 4, 4), [
        (dt.datetime(2027, 4, 3, 11, 0, tzinfo=UTC), dt.datetime(2027, 4, 3, 21, 0, tzinfo=UTC)),
        (dt.datetime(2027, 4, 4, 12, 0, tzinfo=UTC), dt.datetime(2027, 4, 4, 21, 0, tzinfo=UTC)),
    ], 10.0),
    ("Australia/Sydney", dt.date(2027, 10, 3), [
        (dt.datetime(2027, 10, 2, 12, 0, tzinfo=UTC), dt.datetime(2027, 10, 2, 20, 0, tzinfo=UTC)),
        (dt.datetime(2027, 10, 3, 11, 0, tzinfo=UTC), dt.datetime(2027, 10, 3, 20, 0, tzinfo=UTC)),
    ], 8.0),
    ("Australia/Lord_Howe", dt.date(2027, 4, 4), [
        (dt.datetime(2027, 4, 3, 11, 0, tzinfo=UTC), dt.datetime(2027, 4, 3, 20, 30, tzinfo=UTC)),
        (dt.datetime(2027, 4, 4, 11, 30, tzinfo=UTC), dt.datetime(2027, 4, 4, 20, 30, tzinfo=UTC)),
    ], 9.5),
    ("Australia/Lord_Howe", dt.date(2027, 10, 3), [
        (dt.datetime(2027, 10, 2, 11, 30, tzinfo=UTC), dt.datetime(2027, 10, 2, 20, 0, tzinfo=UTC)),
        (dt.datetime(2027, 10, 3, 11, 0, tzinfo=UTC), dt.datetime(2027, 10, 3, 20, 0, tzinfo=UTC)),
    ], 8.5),
    ("Pacific/Chatham", dt.date(2027, 4, 4), [
        (dt.datetime(2027, 4, 3, 8, 15, tzinfo=UTC), dt.datetime(2027, 4, 3, 18, 15, tzinfo=UTC)),
        (dt.datetime(2027, 4, 4, 9, 15, tzinfo=UTC), dt.datetime(2027, 4, 4, 18, 15, tzinfo=UTC)),
    ], 10.0),
    ("Pacific/Chatham", dt.date(2027, 9, 26), [
        (dt.datetime(2027, 9, 25, 9, 15, tzinfo=UTC), dt.datetime(2027, 9, 25, 17, 15, tzinfo=UTC)),
        (dt.datetime(2027, 9, 26, 8, 15, tzinfo=UTC), dt.datetime(2027, 9, 26, 17, 15, tzinfo=UTC)),
    ], 8.0),
    ("Asia/Kolkata", dt.date(2027, 3, 14), [
        (dt.datetime(2027, 3, 13, 16, 30, tzinfo=UTC), dt.datetime(2027, 3, 14, 1, 30, tzinfo=UTC)),
        (dt.datetime(2027, 3, 14, 16, 30, tzinfo=UTC), dt.datetime(2027, 3, 15, 1, 30, tzinfo=UTC)),
    ], 9.0),
    ("Asia/Kolkata", dt.date(2027, 11, 7), [
        (dt.datetime(2027, 11, 6, 16, 30, tzinfo=UTC), dt.datetime(2027, 11, 7, 1, 30, tzinfo=UTC)),
        (dt.datetime(2027, 11, 7, 16, 30, tzinfo=UTC), dt.datetime(2027, 11, 8, 1, 30, tzinfo=UTC)),
    ], 9.0),
    ("Asia/Kolkata", dt.date(2027, 3, 28), [
        (dt.datetime(2027, 3, 27, 16, 30, tzinfo=UTC), dt.datetime(2027, 3, 28, 1, 30, tzinfo=UTC)),
        (dt.datetime(2027, 3, 28, 16, 30, tzinfo=UTC), dt.datetime(2027, 3, 29, 1, 30, tzinfo=UTC)),
    ], 9.0),
    ("Asia/Kolkata", dt.date(2027, 10, 31), [
        (dt.datetime(2027, 10, 30, 16, 30, tzinfo=UTC), dt.datetime(2027, 10, 31, 1, 30, tzinfo=UTC)),
        (dt.datetime(2027, 10, 31, 16, 30, tzinfo=UTC), dt.datetime(2027, 11, 1, 1, 30, tzinfo=UTC)),
    ], 9.0),
    ("Asia/Kolkata", dt.date(2027, 4, 4), [
        (dt.datetime(2027, 4, 3, 16, 30, tzinfo=UTC), dt.datetime(2027, 4, 4, 1, 30, tzinfo=UTC)),
        (dt.datetime(2027, 4, 4, 16, 30, tzinfo=UTC), dt.datetime(2027, 4, 5, 1, 30, tzinfo=UTC)),
    ], 9.0),
    ("Asia/Kolkata", dt.date(2027, 10, 3), [
        (dt.datetime(2027, 10, 2, 16, 30, tzinfo=UTC), dt.datetime(2027, 10, 3, 1, 30, tzinfo=UTC)),
        (dt.datetime(2027, 10, 3, 16, 30, tzinfo=UTC), dt.datetime(2027, 10, 4, 1, 30, tzinfo=UTC)),
    ], 9.0),
    ("Asia/Kolkata", dt.date(2027, 9, 26), [
        (dt.datetime(2027, 9, 25, 16, 30, tzinfo=UTC), dt.datetime(2027, 9, 26, 1, 30, tzinfo=UTC)),
        (dt.datetime(2027, 9, 26, 16, 30, tzinfo=UTC), dt.datetime(2027, 9, 27, 1, 30, tzinfo=UTC)),
    ], 9.0),
    ("Asia/Kathmandu", dt.date(2027, 3, 14), [
        (dt.datetime(2027, 3, 13, 16, 15, tzinfo=UTC), dt.datetime(2027, 3, 14, 1, 15, tzinfo=UTC)),
        (dt.datetime(2027, 3, 14, 16, 15, tzinfo=UTC), dt.datetime(2027, 3, 15, 1, 15, tzinfo=UTC)),
    ], 9.0),
    ("Asia/Kathmandu", dt.date(2027, 11, 7), [
        (dt.datetime(2027, 11, 6, 16, 15, tzinfo=UTC), dt.datetime(2027, 11, 7, 1, 15, tzinfo=UTC)),
        (dt.datetime(2027, 11, 7, 16, 15, tzinfo=UTC), dt.datetime(2027, 11, 8, 1, 15, tzinfo=UTC)),
    ], 9.0),
    ("Asia/Kathmandu", dt.date(2027, 3, 28), [
        (dt.datetime(2027, 3, 27, 16, 15, tzinfo=UTC), dt.datetime(2027, 3, 28, 1, 15, tzinfo=UTC)),
        (dt.datetime(2027, 3, 28, 16, 15, tzinfo=UTC), dt.datetime(2027, 3, 29, 1, 15, tzinfo=UTC)),
    ], 9.0),
    ("Asia/Kathmandu", dt.date(2027, 10, 31), [
        (dt.datetime(2027, 10, 30, 16, 15, tzinfo=UTC), dt.datetime(2027, 10, 31, 1, 15, tzinfo=UTC)),
        (dt.datetime(2027, 10, 31, 16, 15, tzinfo=UTC), dt.datetime(2027, 11, 1, 1, 15, tzinfo=UTC)),
    ], 9.0),
    ("Asia/Kathmandu", dt.date(2027, 4, 4), [
        (dt.datetime(2027, 4, 3, 16, 15, tzinfo=UTC), dt.datetime(2027, 4, 4, 1, 15, tzinfo=UTC)),
        (dt.datetime(2027, 4, 4, 16, 15, tzinfo=UTC), dt.datetime(2027, 4, 5, 1, 15, tzinfo=UTC)),
    ], 9.0),
    ("Asia/Kathmandu", dt.date(2027, 10, 3), [
        (dt.datetime(2027, 10, 2, 16, 15, tzinfo=UTC), dt.datetime(2027, 10, 3, 1, 15, tzinfo=UTC)),
        (dt.datetime(2027, 10, 3, 16, 15, tzinfo=UTC), dt.datetime(2027, 10, 4, 1, 15, tzinfo=UTC)),
    ], 9.0),
    ("Asia/Kathmandu", dt.date(2027, 9, 26), [
        (dt.datetime(2027, 9, 25, 16, 15, tzinfo=UTC), dt.datetime(2027, 9, 26, 1, 15, tzinfo=UTC)),
        (dt.datetime(2027, 9, 26, 16, 15, tzinfo=UTC), dt.datetime(2027, 9, 27, 1, 15, tzinfo=UTC)),
    ], 9.0),
]  # fmt: skip


@pytest.mark.parametrize("policy", [DEFAULT, STRICT], ids=["default", "strict"])
@pytest.mark.parametrize(("zone", "date", "nights", "hours"), OVERNIGHT_NIGHTS)
def test_overnight_around_transition_date(
    zone: str,
    date: dt.date,
    nights: Intervals,
    hours: float,
    policy: LocalTimePolicy,
) -> None:
    """22:00-07:00 on D-1 and on D give the hand-computed UTC nights (9h +/- the DST shift)."""
    got = local_rule_intervals(
        ZoneInfo(zone), date - dt.timedelta(days=1), date, lambda _d: (OVERNIGHT,), policy, "x"
    )
    assert got == nights
    assert got[0][1] - got[0][0] == dt.timedelta(hours=hours)
    assert got[1][1] - got[1][0] == dt.timedelta(hours=9)


@pytest.mark.parametrize(("zone", "date", "nights", "hours"), OVERNIGHT_NIGHTS)
def test_overnight_as_local_windows(
    zone: str, date: dt.date, nights: Intervals, hours: float
) -> None:
    """Dated local windows 22:00-07:00 resolve exactly like the weekly rule."""
    windows = [
        LocalWindow(date=date - dt.timedelta(days=1), start="22:00", end="07:00"),
        LocalWindow(date=date, start="22:00", end="07:00"),
    ]
    assert local_window_intervals(ZoneInfo(zone), windows, DEFAULT, "w") == nights


# --------------------------------------------------------------------------------------
# A 22:00-06:00 night shift on a transition night
# --------------------------------------------------------------------------------------

NIGHT_SHIFTS = [
    # fall back: 22:00 EDT (-4) -> 06:00 EST (-5) is 9 real hours
    (dt.date(2027, 11, 6),
     dt.datetime(2027, 11, 7, 2, 0, tzinfo=UTC), dt.datetime(2027, 11, 7, 11, 0, tzinfo=UTC), 9),
    # spring forward: 22:00 EST (-5) -> 06:00 EDT (-4) is 7 real hours
    (dt.date(2027, 3, 13),
     dt.datetime(2027, 3, 14, 3, 0, tzinfo=UTC), dt.datetime(2027, 3, 14, 10, 0, tzinfo=UTC), 7),
]  # fmt: skip


@pytest.mark.parametrize("via", sorted(VIA))
@pytest.mark.parametrize(("date", "start", "end", "hours"), NIGHT_SHIFTS)
def test_night_shift_crossing_midnight_on_transition_night(
    date: dt.date, start: dt.datetime, end: dt.datetime, hours: int, via: str
) -> None:
    """A New York 22:00-06:00 shift spans 9h on the fall-back night and 7h on spring-forward."""
    got = VIA[via](ZoneInfo("America/New_York"), date, NIGHT_SHIFT, STRICT)
    assert got == [(start, end)]
    assert end - start == dt.timedelta(hours=hours)


# --------------------------------------------------------------------------------------
# resolve_local: non-existent and ambiguous local times
# --------------------------------------------------------------------------------------

NONEXISTENT = [
    # the docs' own example: 02:30 EST = 07:30 UTC (= 03:30 EDT)
    ("America/New_York", dt.datetime(2027, 3, 14, 2, 30), dt.datetime(2027, 3, 14, 7, 30, tzinfo=UTC)),
    ("America/New_York", dt.datetime(2027, 3, 14, 2, 0), dt.datetime(2027, 3, 14, 7, 0, tzinfo=UTC)),
    ("America/New_York", dt.datetime(2027, 3, 14, 2, 59), dt.datetime(2027, 3, 14, 7, 59, tzinfo=UTC)),
    # 02:30 CET = 01:30 UTC (= 03:30 CEST)
    ("Europe/Berlin", dt.datetime(2027, 3, 28, 2, 30), dt.datetime(2027, 3, 28, 1, 30, tzinfo=UTC)),
    # 01:30 GMT = 01:30 UTC (= 02:30 BST)
    ("Europe/London", dt.datetime(2027, 3, 28, 1, 30), dt.datetime(2027, 3, 28, 1, 30, tzinfo=UTC)),
    # 02:30 AEST (+10) = 16:30 UTC the day before (= 03:30 AEDT)
    ("Australia/Sydney", dt.datetime(2027, 10, 3, 2, 30), dt.datetime(2027, 10, 2, 16, 30, tzinfo=UTC)),
    # 30-minute gap 02:00-02:30: 02:15 at +10:30 = 15:45 UTC (= 02:45 +11)
    ("Australia/Lord_Howe", dt.datetime(2027, 10, 3, 2, 15), dt.datetime(2027, 10, 2, 15, 45, tzinfo=UTC)),
    ("Australia/Lord_Howe", dt.datetime(2027, 10, 3, 2, 0), dt.datetime(2027, 10, 2, 15, 30, tzinfo=UTC)),
    # gap 02:45-03:45: 03:00 at +12:45 = 14:15 UTC (= 04:00 +13:45)
    ("Pacific/Chatham", dt.datetime(2027, 9, 26, 3, 0), dt.datetime(2027, 9, 25, 14, 15, tzinfo=UTC)),
    ("Pacific/Chatham", dt.datetime(2027, 9, 26, 2, 45), dt.datetime(2027, 9, 25, 14, 0, tzinfo=UTC)),
    ("Pacific/Chatham", dt.datetime(2027, 9, 26, 3, 44), dt.datetime(2027, 9, 25, 14, 59, tzinfo=UTC)),
]  # fmt: skip

AMBIGUOUS = [
    # zone, local, earlier (DST offset), later (standard offset)
    ("America/New_York", dt.datetime(2027, 11, 7, 1, 30),
     dt.datetime(2027, 11, 7, 5, 30, tzinfo=UTC), dt.datetime(2027, 11, 7, 6, 30, tzinfo=UTC)),
    ("America/New_York", dt.datetime(2027, 11, 7, 1, 0),
     dt.datetime(2027, 11, 7, 5, 0, tzinfo=UTC), dt.datetime(2027, 11, 7, 6, 0, tzinfo=UTC)),
    ("Europe/Berlin", dt.datetime(2027, 10, 31, 2, 30),
     dt.datetime(2027, 10, 31, 0, 30, tzinfo=UTC), dt.datetime(2027, 10, 31, 1, 30, tzinfo=UTC)),
    ("Europe/London", dt.datetime(2027, 10, 31, 1, 30),
     dt.datetime(2027, 10, 31, 0, 30, tzinfo=UTC), dt.datetime(2027, 10, 31, 1, 30, tzinfo=UTC)),
    ("Australia/Sydney", dt.datetime(2027, 4, 4, 2, 30),
     dt.datetime(2027, 4, 3, 15, 30, tzinfo=UTC), dt.datetime(2027, 4, 3, 16, 30, tzinfo=UTC)),
    # 30-minute repeat 01:30-02:00 (+11 then +10:30)
    ("Australia/Lord_Howe", dt.datetime(2027, 4, 4, 1, 45),
     dt.datetime(2027, 4, 3, 14, 45, tzinfo=UTC), dt.datetime(2027, 4, 3, 15, 15, tzinfo=UTC)),
    ("Australia/Lord_Howe", dt.datetime(2027, 4, 4, 1, 30),
     dt.datetime(2027, 4, 3, 14, 30, tzinfo=UTC), dt.datetime(2027, 4, 3, 15, 0, tzinfo=UTC)),
    # repeat 02:45-03:45 (+13:45 then +12:45)
    ("Pacific/Chatham", dt.datetime(2027, 4, 4, 3, 0),
     dt.datetime(2027, 4, 3, 13, 15, tzinfo=UTC), dt.datetime(2027, 4, 3, 14, 15, tzinfo=UTC)),
    ("Pacific/Chatham", dt.datetime(2027, 4, 4, 2, 45),
     dt.datetime(2027, 4, 3, 13, 0, tzinfo=UTC), dt.datetime(2027, 4, 3, 14, 0, tzinfo=UTC)),
]  # fmt: skip

# Times just next to a change: they exist exactly once, so every policy agrees.
UNIQUE = [
    ("America/New_York", dt.datetime(2027, 3, 14, 1, 59), dt.datetime(2027, 3, 14, 6, 59, tzinfo=UTC)),
    ("America/New_York", dt.datetime(2027, 3, 14, 3, 0), dt.datetime(2027, 3, 14, 7, 0, tzinfo=UTC)),
    ("America/New_York", dt.datetime(2027, 11, 7, 0, 59), dt.datetime(2027, 11, 7, 4, 59, tzinfo=UTC)),
    ("America/New_York", dt.datetime(2027, 11, 7, 2, 0), dt.datetime(2027, 11, 7, 7, 0, tzinfo=UTC)),
    ("Europe/Berlin", dt.datetime(2027, 10, 31, 3, 0), dt.datetime(2027, 10, 31, 2, 0, tzinfo=UTC)),
    ("Australia/Lord_Howe", dt.datetime(2027, 10, 3, 2, 30), dt.datetime(2027, 10, 2, 15, 30, tzinfo=UTC)),
    ("Australia/Lord_Howe", dt.datetime(2027, 4, 4, 2, 0), dt.datetime(2027, 4, 3, 15, 30, tzinfo=UTC)),
    ("Pacific/Chatham", dt.datetime(2027, 9, 26, 3, 45), dt.datetime(2027, 9, 25, 14, 0, tzinfo=UTC)),
    ("Pacific/Chatham", dt.datetime(2027, 9, 26, 2, 44), dt.datetime(2027, 9, 25, 13, 59, tzinfo=UTC)),
    ("Pacific/Chatham", dt.datetime(2027, 4, 4, 3, 45), dt.datetime(2027, 4, 3, 15, 0, tzinfo=UTC)),
    ("Asia/Kolkata", dt.datetime(2027, 3, 14, 2, 30), dt.datetime(2027, 3, 13, 21, 0, tzinfo=UTC)),
    ("Asia/Kathmandu", dt.datetime(2027, 11, 7, 1, 30), dt.datetime(2027, 11, 6, 19, 45, tzinfo=UTC)),
]  # fmt: skip


@pytest.mark.parametrize(("zone", "local", "expected"), NONEXISTENT)
def test_nonexistent_shift_forward(zone: str, local: dt.datetime, expected: dt.datetime) -> None:
    """A skipped local time uses the offset in force before the change (moves forward by the gap)."""
    got = resolve_local(ZoneInfo(zone), local, DEFAULT)
    assert got == expected
    assert got.utcoffset() == dt.timedelta(0)
    # an independent ambiguous policy does not matter for a skipped time
    assert resolve_local(ZoneInfo(zone), local, LocalTimePolicy(ambiguous="raise")) == expected


@pytest.mark.parametrize(("zone", "local", "expected"), NONEXISTENT)
def test_nonexistent_raise(zone: str, local: dt.datetime, expected: dt.datetime) -> None:
    """A skipped local time raises LocalTimeError (an InputError naming the field) under raise."""
    policy = LocalTimePolicy(nonexistent="raise")
    with pytest.raises(LocalTimeError) as info:
        resolve_local(ZoneInfo(zone), local, policy, field="people[x].working_hours")
    assert isinstance(info.value, InputError)
    assert info.value.field == "people[x].working_hours"
    assert zone in info.value.value


@pytest.mark.parametrize(("zone", "local", "earlier", "later"), AMBIGUOUS)
def test_ambiguous_earlier_and_later(
    zone: str, local: dt.datetime, earlier: dt.datetime, later: dt.datetime
) -> None:
    """A repeated local time takes its first occurrence by default, the second with 'later'."""
    tz = ZoneInfo(zone)
    assert resolve_local(tz, local, DEFAULT) == earlier
    assert resolve_local(tz, local, LocalTimePolicy(ambiguous="earlier")) == earlier
    assert resolve_local(tz, local, LocalTimePolicy(ambiguous="later")) == later
    assert resolve_local(tz, local, LocalTimePolicy(nonexistent="raise")) == earlier


@pytest.mark.parametrize(("zone", "local", "earlier", "later"), AMBIGUOUS)
def test_ambiguous_raise(
    zone: str, local: dt.datetime, earlier: dt.datetime, later: dt.datetime
) -> None:
    """A repeated local time raises LocalTimeError under ambiguous='raise'."""
    with pytest.raises(LocalTimeError) as info:
        resolve_local(ZoneInfo(zone), local, LocalTimePolicy(ambiguous="raise"), field="f")
    assert info.value.field == "f"


@pytest.mark.parametrize(("zone", "local", "expected"), UNIQUE)
def test_unique_times_next_to_a_change(
    zone: str, local: dt.datetime, expected: dt.datetime
) -> None:
    """Local times just outside a gap or repeat resolve identically under every policy."""
    tz = ZoneInfo(zone)
    for policy in (DEFAULT, STRICT, LocalTimePolicy(ambiguous="later")):
        assert resolve_local(tz, local, policy) == expected


# --------------------------------------------------------------------------------------
# Ranges touching the skipped / repeated hour
# --------------------------------------------------------------------------------------


def test_range_entirely_in_gap_is_dropped() -> None:
    """02:00-03:00 in New York on 2027-03-14 resolves to an empty interval and is dropped."""
    rng = TimeRange(start="02:00", end="03:00")
    assert _rule(ZoneInfo("America/New_York"), dt.date(2027, 3, 14), rng, DEFAULT) == []
    assert _window(ZoneInfo("America/New_York"), dt.date(2027, 3, 14), rng, DEFAULT) == []


def test_range_starting_in_gap_shifts_forward() -> None:
    """02:30-10:00 in New York on 2027-03-14 starts at 07:30Z (02:30 EST) and ends 14:00Z."""
    rng = TimeRange(start="02:30", end="10:00")
    assert _rule(ZoneInfo("America/New_York"), dt.date(2027, 3, 14), rng, DEFAULT) == [
        (dt.datetime(2027, 3, 14, 7, 30, tzinfo=UTC), dt.datetime(2027, 3, 14, 14, 0, tzinfo=UTC))
    ]


def test_range_across_spring_gap_is_short() -> None:
    """01:00-04:00 in New York on 2027-03-14 is 06:00Z-08:00Z: only 2 real hours."""
    rng = TimeRange(start="01:00", end="04:00")
    assert _rule(ZoneInfo("America/New_York"), dt.date(2027, 3, 14), rng, STRICT) == [
        (dt.datetime(2027, 3, 14, 6, 0, tzinfo=UTC), dt.datetime(2027, 3, 14, 8, 0, tzinfo=UTC))
    ]


def test_range_over_repeated_hour_earlier_and_later() -> None:
    """01:00-02:00 in New York on 2027-11-07 is 05:00Z-07:00Z (earlier) or 06:00Z-07:00Z (later)."""
    tz = ZoneInfo("America/New_York")
    rng = TimeRange(start="01:00", end="02:00")
    date = dt.date(2027, 11, 7)
    assert _rule(tz, date, rng, DEFAULT) == [
        (dt.datetime(2027, 11, 7, 5, 0, tzinfo=UTC), dt.datetime(2027, 11, 7, 7, 0, tzinfo=UTC))
    ]
    assert _rule(tz, date, rng, LocalTimePolicy(ambiguous="later")) == [
        (dt.datetime(2027, 11, 7, 6, 0, tzinfo=UTC), dt.datetime(2027, 11, 7, 7, 0, tzinfo=UTC))
    ]


def test_lord_howe_half_hour_gap_range() -> None:
    """Lord Howe 01:00-03:00 on 2027-10-03 loses 30 minutes: 14:30Z-16:00Z the day before."""
    rng = TimeRange(start="01:00", end="03:00")
    assert _rule(ZoneInfo("Australia/Lord_Howe"), dt.date(2027, 10, 3), rng, STRICT) == [
        (dt.datetime(2027, 10, 2, 14, 30, tzinfo=UTC), dt.datetime(2027, 10, 2, 16, 0, tzinfo=UTC))
    ]


def test_chatham_range_over_repeat_gains_an_hour() -> None:
    """Chatham 02:00-04:00 on 2027-04-04 (earlier) is 12:15Z-15:15Z the day before: 3 hours."""
    rng = TimeRange(start="02:00", end="04:00")
    assert _rule(ZoneInfo("Pacific/Chatham"), dt.date(2027, 4, 4), rng, DEFAULT) == [
        (dt.datetime(2027, 4, 3, 12, 15, tzinfo=UTC), dt.datetime(2027, 4, 3, 15, 15, tzinfo=UTC))
    ]


def test_rule_with_raise_policy_names_the_field() -> None:
    """local_rule_intervals propagates LocalTimeError with the field it was given."""
    rng = TimeRange(start="02:30", end="10:00")
    with pytest.raises(LocalTimeError) as info:
        local_rule_intervals(
            ZoneInfo("America/New_York"),
            dt.date(2027, 3, 13),
            dt.date(2027, 3, 15),
            lambda _d: (rng,),
            LocalTimePolicy(nonexistent="raise"),
            "people[p1].working_hours",
        )
    assert info.value.field == "people[p1].working_hours"


def test_window_with_raise_policy_names_the_index() -> None:
    """local_window_intervals names the offending window by index."""
    windows = [
        LocalWindow(date=dt.date(2027, 11, 6), start="09:00", end="17:00"),
        LocalWindow(date=dt.date(2027, 11, 7), start="01:30", end="05:00"),
    ]
    with pytest.raises(LocalTimeError) as info:
        local_window_intervals(
            ZoneInfo("America/New_York"), windows, LocalTimePolicy(ambiguous="raise"), "cust"
        )
    assert info.value.field == "cust[1]"


def test_end_at_24_00_is_next_local_midnight() -> None:
    """00:00-24:00 in Berlin on the 23-hour day 2027-03-28 is 23:00Z-22:00Z."""
    rng = TimeRange(start="00:00", end="24:00")
    assert _rule(ZoneInfo("Europe/Berlin"), dt.date(2027, 3, 28), rng, STRICT) == [
        (dt.datetime(2027, 3, 27, 23, 0, tzinfo=UTC), dt.datetime(2027, 3, 28, 22, 0, tzinfo=UTC))
    ]
    assert _rule(ZoneInfo("Europe/Berlin"), dt.date(2027, 10, 31), rng, STRICT) == [
        (dt.datetime(2027, 10, 30, 22, 0, tzinfo=UTC), dt.datetime(2027, 10, 31, 23, 0, tzinfo=UTC))
    ]


# --------------------------------------------------------------------------------------
# End to end through bridge_sched.solve
# --------------------------------------------------------------------------------------

NO_HOURS = WeeklyHours(mon=(), tue=(), wed=(), thu=(), fri=(), sat=(), sun=())


def _request(
    zone: str,
    date: dt.date,
    hours: TimeRange,
    duration: int,
    window: tuple[dt.datetime, dt.datetime],
    local_times: LocalTimePolicy = DEFAULT,
    suggestions: int = 1,
) -> BridgeRequest:
    """One person, one role; the person works only ``hours`` on local ``date``."""
    return BridgeRequest(
        incident=Incident(id="INC-1", severity=Severity.sev2, component="db"),
        now=window[0],
        window=Window(start=window[0], end=window[1]),
        meeting=Meeting(duration_minutes=duration, step_minutes=15, suggestions=suggestions),
        roles=(Role(name="responder", candidates=(Candidate(person="p1"),)),),
        people=(
            Person(
                id="p1",
                timezone=zone,
                working_hours=NO_HOURS,
                overrides=(DateOverride(date=date, hours=(hours,)),),
            ),
        ),
        policy=Policy(out_of_hours="forbid", local_times=local_times),
    )


def test_solve_berlin_spring_forward_day_starts_0700z() -> None:
    """Berlin 09:00-17:00 on 2027-03-28 (CEST), out_of_hours=forbid: slot 1 starts 07:00 UTC."""
    req = _request(
        "Europe/Berlin",
        dt.date(2027, 3, 28),
        NINE_TO_FIVE,
        60,
        (dt.datetime(2027, 3, 27, 12, 0, tzinfo=UTC), dt.datetime(2027, 3, 29, 12, 0, tzinfo=UTC)),
    )
    result = solve(req)
    assert result.status == Status.scheduled
    slot = result.slots[0]
    assert slot.rank == 1
    assert slot.start == dt.datetime(2027, 3, 28, 7, 0, tzinfo=UTC)
    assert slot.end == dt.datetime(2027, 3, 28, 8, 0, tzinfo=UTC)
    assert slot.assignments[0].local.start == "2027-03-28T09:00:00+02:00"
    assert slot.assignments[0].local.abbreviation == "CEST"


SOLVE_FULL_DAY = [
    # zone, date, UTC start of the only 8-hour slot, local start, local end
    ("America/New_York", dt.date(2027, 3, 14), dt.datetime(2027, 3, 14, 13, 0, tzinfo=UTC),
     "2027-03-14T09:00:00-04:00", "2027-03-14T17:00:00-04:00"),
    ("America/New_York", dt.date(2027, 11, 7), dt.datetime(2027, 11, 7, 14, 0, tzinfo=UTC),
     "2027-11-07T09:00:00-05:00", "2027-11-07T17:00:00-05:00"),
    ("Europe/Berlin", dt.date(2027, 10, 31), dt.datetime(2027, 10, 31, 8, 0, tzinfo=UTC),
     "2027-10-31T09:00:00+01:00", "2027-10-31T17:00:00+01:00"),
    ("Europe/London", dt.date(2027, 3, 28), dt.datetime(2027, 3, 28, 8, 0, tzinfo=UTC),
     "2027-03-28T09:00:00+01:00", "2027-03-28T17:00:00+01:00"),
    ("Australia/Sydney", dt.date(2027, 4, 4), dt.datetime(2027, 4, 3, 23, 0, tzinfo=UTC),
     "2027-04-04T09:00:00+10:00", "2027-04-04T17:00:00+10:00"),
    ("Australia/Lord_Howe", dt.date(2027, 10, 3), dt.datetime(2027, 10, 2, 22, 0, tzinfo=UTC),
     "2027-10-03T09:00:00+11:00", "2027-10-03T17:00:00+11:00"),
    ("Pacific/Chatham", dt.date(2027, 4, 4), dt.datetime(2027, 4, 3, 20, 15, tzinfo=UTC),
     "2027-04-04T09:00:00+12:45", "2027-04-04T17:00:00+12:45"),
    ("Pacific/Chatham", dt.date(2027, 9, 26), dt.datetime(2027, 9, 25, 19, 15, tzinfo=UTC),
     "2027-09-26T09:00:00+13:45", "2027-09-26T17:00:00+13:45"),
    ("Asia/Kathmandu", dt.date(2027, 3, 14), dt.datetime(2027, 3, 14, 3, 15, tzinfo=UTC),
     "2027-03-14T09:00:00+05:45", "2027-03-14T17:00:00+05:45"),
]  # fmt: skip


@pytest.mark.parametrize(("zone", "date", "start", "local_start", "local_end"), SOLVE_FULL_DAY)
def test_solve_full_working_day_on_transition_date(
    zone: str, date: dt.date, start: dt.datetime, local_start: str, local_end: str
) -> None:
    """An 8-hour bridge fits exactly once: at 09:00 local on the DST day, at the literal UTC start."""
    window = (
        dt.datetime.combine(date - dt.timedelta(days=1), dt.time(12), tzinfo=UTC),
        dt.datetime.combine(date + dt.timedelta(days=1), dt.time(12), tzinfo=UTC),
    )
    result = solve(_request(zone, date, NINE_TO_FIVE, 8 * 60, window, suggestions=3))
    assert result.status == Status.scheduled
    assert [s.start for s in result.slots] == [start]
    assert result.slots[0].end - result.slots[0].start == dt.timedelta(hours=8)
    local = result.slots[0].assignments[0].local
    assert (local.start, local.end) == (local_start, local_end)


NY_NIGHT_WINDOW_FALL = (
    dt.datetime(2027, 11, 6, 12, 0, tzinfo=UTC),
    dt.datetime(2027, 11, 8, 0, 0, tzinfo=UTC),
)
NY_NIGHT_WINDOW_SPRING = (
    dt.datetime(2027, 3, 13, 12, 0, tzinfo=UTC),
    dt.datetime(2027, 3, 15, 0, 0, tzinfo=UTC),
)


def test_solve_night_shift_fall_back_is_nine_hours() -> None:
    """A 9-hour bridge fits the NY 22:00-06:00 shift of 2027-11-06 exactly: 02:00Z-11:00Z."""
    req = _request(
        "America/New_York", dt.date(2027, 11, 6), NIGHT_SHIFT, 9 * 60, NY_NIGHT_WINDOW_FALL,
        suggestions=3,
    )  # fmt: skip
    result = solve(req)
    assert result.status == Status.scheduled
    assert [(s.start, s.end) for s in result.slots] == [
        (dt.datetime(2027, 11, 7, 2, 0, tzinfo=UTC), dt.datetime(2027, 11, 7, 11, 0, tzinfo=UTC))
    ]
    local = result.slots[0].assignments[0].local
    assert (local.start, local.end) == ("2027-11-06T22:00:00-04:00", "2027-11-07T06:00:00-05:00")
    assert local.abbreviation == "EDT"


def test_solve_night_shift_spring_forward_is_seven_hours() -> None:
    """A 7-hour bridge fits the NY 22:00-06:00 shift of 2027-03-13 at 03:00Z; 7h15 does not fit."""
    req = _request(
        "America/New_York", dt.date(2027, 3, 13), NIGHT_SHIFT, 7 * 60, NY_NIGHT_WINDOW_SPRING,
        suggestions=3,
    )  # fmt: skip
    result = solve(req)
    assert result.status == Status.scheduled
    assert [(s.start, s.end) for s in result.slots] == [
        (dt.datetime(2027, 3, 14, 3, 0, tzinfo=UTC), dt.datetime(2027, 3, 14, 10, 0, tzinfo=UTC))
    ]
    local = result.slots[0].assignments[0].local
    assert (local.start, local.end) == ("2027-03-13T22:00:00-05:00", "2027-03-14T06:00:00-04:00")
    longer = _request(
        "America/New_York", dt.date(2027, 3, 13), NIGHT_SHIFT, 7 * 60 + 15, NY_NIGHT_WINDOW_SPRING
    )
    assert solve(longer).status == Status.escalate


def test_solve_nonexistent_start_shift_forward_and_raise() -> None:
    """Hours 02:30-10:00 on NY 2027-03-14: slot 1 at 07:30Z by default; LocalTimeError under raise."""
    hours = TimeRange(start="02:30", end="10:00")
    window = NY_NIGHT_WINDOW_SPRING
    result = solve(_request("America/New_York", dt.date(2027, 3, 14), hours, 60, window))
    assert result.slots[0].start == dt.datetime(2027, 3, 14, 7, 30, tzinfo=UTC)
    strict = _request(
        "America/New_York", dt.date(2027, 3, 14), hours, 60, window,
        local_times=LocalTimePolicy(nonexistent="raise"),
    )  # fmt: skip
    with pytest.raises(LocalTimeError):
        solve(strict)


@pytest.mark.parametrize(
    ("ambiguous", "start"),
    [
        ("earlier", dt.datetime(2027, 11, 7, 5, 30, tzinfo=UTC)),
        ("later", dt.datetime(2027, 11, 7, 6, 30, tzinfo=UTC)),
    ],
)
def test_solve_ambiguous_start(ambiguous: Literal["earlier", "later"], start: dt.datetime) -> None:
    """Hours 01:30-09:00 on NY 2027-11-07: slot 1 at 05:30Z (earlier) or 06:30Z (later)."""
    req = _request(
        "America/New_York", dt.date(2027, 11, 7), TimeRange(start="01:30", end="09:00"), 60,
        NY_NIGHT_WINDOW_FALL, local_times=LocalTimePolicy(ambiguous=ambiguous),
    )  # fmt: skip
    assert solve(req).slots[0].start == start


def test_solve_ambiguous_raise() -> None:
    """Hours 01:30-09:00 on NY 2027-11-07 under ambiguous='raise' raise LocalTimeError."""
    req = _request(
        "America/New_York", dt.date(2027, 11, 7), TimeRange(start="01:30", end="09:00"), 60,
        NY_NIGHT_WINDOW_FALL, local_times=LocalTimePolicy(ambiguous="raise"),
    )  # fmt: skip
    with pytest.raises(LocalTimeError):
        solve(req)


# --------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------

PROPERTY = settings(max_examples=200, deadline=None, derandomize=True)

_NEAR_TRANSITIONS = st.sampled_from(
    sorted({d + dt.timedelta(days=k) for d in TRANSITION_DATES for k in (-1, 0)})
)
_DATES = st.one_of(st.dates(dt.date(2026, 1, 1), dt.date(2028, 12, 31)), _NEAR_TRANSITIONS)


def _reads(instant: dt.datetime, tz: ZoneInfo) -> tuple[dt.date, int, int]:
    local = instant.astimezone(tz)
    return local.date(), local.hour, local.minute


def _offset(tz: ZoneInfo, date: dt.date, hour: int) -> dt.timedelta:
    """UTC offset at a local time that exists exactly once (no fold games needed)."""
    offset = dt.datetime.combine(date, dt.time(hour), tzinfo=tz).utcoffset()
    assert offset is not None
    return offset


@PROPERTY
@given(zone=st.sampled_from(ZONES), date=_DATES)
@example(zone="Australia/Lord_Howe", date=dt.date(2027, 4, 4))
@example(zone="Pacific/Chatham", date=dt.date(2027, 9, 26))
def test_property_working_day_reads_back(zone: str, date: dt.date) -> None:
    """09:00-17:00 maps to a UTC interval reading 09:00/17:00 locally, lasting 8h minus any shift."""
    tz = ZoneInfo(zone)
    [(start, end)] = _rule(tz, date, NINE_TO_FIVE, STRICT)
    assert _reads(start, tz) == (date, 9, 0)
    assert _reads(end, tz) == (date, 17, 0)
    shift = _offset(tz, date, 17) - _offset(tz, date, 9)
    assert end - start == dt.timedelta(hours=8) - shift
    # no zone in the list changes its clocks during the working day
    assert end - start == dt.timedelta(hours=8)


@PROPERTY
@given(zone=st.sampled_from(ZONES), date=_DATES)
@example(zone="America/New_York", date=dt.date(2027, 11, 6))
@example(zone="Australia/Lord_Howe", date=dt.date(2027, 10, 2))
def test_property_overnight_reads_back(zone: str, date: dt.date) -> None:
    """22:00-07:00 reads 22:00 on D and 07:00 on D+1 locally and lasts 9h minus the night's shift."""
    tz = ZoneInfo(zone)
    [(start, end)] = _rule(tz, date, OVERNIGHT, STRICT)
    nxt = date + dt.timedelta(days=1)
    assert _reads(start, tz) == (date, 22, 0)
    assert _reads(end, tz) == (nxt, 7, 0)
    shift = _offset(tz, nxt, 7) - _offset(tz, date, 22)
    assert shift in {dt.timedelta(minutes=m) for m in (-60, -30, 0, 30, 60)}
    assert end - start == dt.timedelta(hours=9) - shift


def _candidates(tz: ZoneInfo, local: dt.datetime) -> tuple[list[dt.datetime], dt.timedelta]:
    """All UTC instants reading ``local`` (scan of the zone's nearby offsets), and the offset before."""
    before = local.replace(tzinfo=UTC) - dt.timedelta(days=1)
    after = local.replace(tzinfo=UTC) + dt.timedelta(days=1)
    offsets = {before.astimezone(tz).utcoffset(), after.astimezone(tz).utcoffset()}
    found = []
    for off in offsets:
        assert off is not None
        instant = local.replace(tzinfo=UTC) - off
        if instant.astimezone(tz).replace(tzinfo=None) == local:
            found.append(instant)
    off_before = before.astimezone(tz).utcoffset()
    assert off_before is not None
    return sorted(found), off_before


@PROPERTY
@given(
    zone=st.sampled_from(ZONES),
    date=_NEAR_TRANSITIONS,
    minute=st.one_of(st.integers(0, 24 * 60 - 1), st.integers(60, 4 * 60)),
)
def test_property_resolve_matches_offset_scan(zone: str, date: dt.date, minute: int) -> None:
    """resolve_local agrees with a fold-free scan over offsets for every policy near transitions."""
    tz = ZoneInfo(zone)
    local = dt.datetime.combine(date, dt.time()) + dt.timedelta(minutes=minute)
    found, off_before = _candidates(tz, local)
    if not found:  # skipped: use the offset in force before the change
        assert resolve_local(tz, local, DEFAULT) == local.replace(tzinfo=UTC) - off_before
        with pytest.raises(LocalTimeError):
            resolve_local(tz, local, STRICT)
    elif len(found) == 1:
        for policy in (DEFAULT, STRICT, LocalTimePolicy(ambiguous="later")):
            assert resolve_local(tz, local, policy) == found[0]
    else:
        assert resolve_local(tz, local, DEFAULT) == found[0]
        assert resolve_local(tz, local, LocalTimePolicy(ambiguous="later")) == found[-1]
        with pytest.raises(LocalTimeError):
            resolve_local(tz, local, STRICT)
