"""The only place where local rules and datetimes become UTC and integer minutes.

Local rules (working hours, overnight hours, customer windows) are turned into
UTC **per calendar date** with the IANA rules of the zone for that date, so a
09:00–17:00 day is eight hours of local clock on a DST day too, and a
22:00–06:00 shift on a fall-back night is nine hours of real time.

Local times skipped or repeated by a DST change follow
:class:`~bridge_sched.model.LocalTimePolicy` (default ``compatible``: skipped
times move forward by the gap, repeated times take the earlier occurrence).
"""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from collections.abc import Callable, Iterable, Sequence

from ._tz import load_zone
from .errors import LocalTimeError
from .model import LocalTimePolicy, LocalWindow, TimeRange
from .result import LocalSpan

__all__ = [
    "Clock",
    "local_rule_intervals",
    "local_span",
    "local_window_intervals",
    "resolve_local",
    "zone",
]

UTC = dt.timezone.utc
_DAY = 24 * 60


def zone(name: str) -> zoneinfo.ZoneInfo:
    """The IANA zone ``name`` from the pinned ``tzdata`` (validated by the models already)."""
    return load_zone(name)


def resolve_local(
    tz: zoneinfo.ZoneInfo,
    local: dt.datetime,
    policy: LocalTimePolicy,
    field: str = "local time",
) -> dt.datetime:
    """Turn a naive local wall-clock time in ``tz`` into a UTC instant.

    Parameters
    ----------
    tz
        The zone whose rules apply.
    local
        Naive local date and time.
    policy
        What to do with skipped (non-existent) and repeated (ambiguous) times.
    field
        Named in the error when the policy says ``raise``.

    Returns
    -------
    datetime.datetime
        An aware UTC instant.
    """
    offset = tz.utcoffset(local)
    if offset is not None and offset == tz.utcoffset(local.replace(fold=1)):  # one reading
        return (local - offset).replace(tzinfo=UTC)
    first = local.replace(tzinfo=tz, fold=0).astimezone(UTC)
    second = local.replace(tzinfo=tz, fold=1).astimezone(UTC)
    exists = first.astimezone(tz).replace(tzinfo=None) == local
    if not exists:  # in a gap: fold=0 uses the offset before the change
        if policy.nonexistent == "raise":
            raise LocalTimeError(
                field, f"{local.isoformat()} {tz.key}", "local time does not exist"
            )
        return first
    if policy.ambiguous == "raise":
        raise LocalTimeError(field, f"{local.isoformat()} {tz.key}", "local time is ambiguous")
    return min(first, second) if policy.ambiguous == "earlier" else max(first, second)


def _at(date: dt.date, minute: int) -> dt.datetime:
    return dt.datetime.combine(date, dt.time()) + dt.timedelta(minutes=minute)


def local_rule_intervals(
    tz: zoneinfo.ZoneInfo,
    first_date: dt.date,
    last_date: dt.date,
    ranges_for: Callable[[dt.date], Sequence[TimeRange]],
    policy: LocalTimePolicy,
    field: str,
) -> list[tuple[dt.datetime, dt.datetime]]:
    """UTC intervals of a local rule for every local date in ``[first_date, last_date]``.

    ``ranges_for(date)`` gives the clock ranges that start on ``date``. Each
    range ends on the same date, or on the next when it crosses midnight.
    Ranges whose DST resolution leaves them empty are dropped.
    """
    out: list[tuple[dt.datetime, dt.datetime]] = []
    date = first_date
    while date <= last_date:
        for rng in ranges_for(date):
            start = resolve_local(tz, _at(date, rng.start_minute), policy, field)
            end = resolve_local(tz, _at(date, rng.end_minute), policy, field)
            if end > start:
                out.append((start, end))
        date += dt.timedelta(days=1)
    return out


def local_window_intervals(
    tz: zoneinfo.ZoneInfo,
    windows: Iterable[LocalWindow],
    policy: LocalTimePolicy,
    field: str,
    dates: tuple[dt.date, dt.date] | None = None,
) -> list[tuple[dt.datetime, dt.datetime]]:
    """UTC intervals of dated local windows (customer availability, preferences).

    With ``dates = (first, last)``, windows dated outside that range are skipped
    (they cannot touch the request window, and a ``raise`` policy must not fail
    on a date that does not matter).
    """
    out: list[tuple[dt.datetime, dt.datetime]] = []
    for i, window in enumerate(windows):
        if dates is not None and not dates[0] <= window.date <= dates[1]:
            continue
        rng = window.range
        start = resolve_local(tz, _at(window.date, rng.start_minute), policy, f"{field}[{i}]")
        end = resolve_local(tz, _at(window.date, rng.end_minute), policy, f"{field}[{i}]")
        if end > start:
            out.append((start, end))
    return out


class Clock:
    """Maps UTC instants to integer minutes from an origin on the top of a UTC hour."""

    def __init__(self, anchor: dt.datetime) -> None:
        anchor = anchor.astimezone(UTC)
        self.origin = anchor.replace(minute=0, second=0, microsecond=0)

    def floor(self, instant: dt.datetime) -> int:
        """Minutes from the origin, rounded down."""
        return math.floor((instant - self.origin).total_seconds() / 60)

    def ceil(self, instant: dt.datetime) -> int:
        """Minutes from the origin, rounded up."""
        return math.ceil((instant - self.origin).total_seconds() / 60)

    def span(self, start: dt.datetime, end: dt.datetime) -> tuple[int, int]:
        """A busy-like interval rounded outwards (exact for whole-minute spans)."""
        return self.floor(start), self.ceil(end)

    def inner(self, start: dt.datetime, end: dt.datetime) -> tuple[int, int]:
        """A window-like interval rounded inwards (exact for whole-minute spans)."""
        return self.ceil(start), self.floor(end)

    def instant(self, minute: int) -> dt.datetime:
        """The UTC instant ``minute`` minutes after the origin."""
        return self.origin + dt.timedelta(minutes=minute)


def _offset(delta: dt.timedelta | None) -> str:
    total = int((delta or dt.timedelta()).total_seconds() // 60)
    sign = "+" if total >= 0 else "-"
    hours, minutes = divmod(abs(total), 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


def local_span(party: str, tz_name: str, start: dt.datetime, end: dt.datetime) -> LocalSpan:
    """How ``[start, end)`` reads on ``party``'s wall clock in ``tz_name``."""
    tz = zone(tz_name)
    local_start = start.astimezone(tz)
    local_end = end.astimezone(tz)
    return LocalSpan(
        party=party,
        timezone=tz_name,
        start=local_start.isoformat(),
        end=local_end.isoformat(),
        abbreviation=local_start.tzname() or _offset(local_start.utcoffset()),
        utc_offset=_offset(local_start.utcoffset()),
        end_abbreviation=local_end.tzname() or _offset(local_end.utcoffset()),
        end_utc_offset=_offset(local_end.utcoffset()),
    )
