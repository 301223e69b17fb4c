"""iCalendar ``VFREEBUSY`` and ``VAVAILABILITY`` -> :class:`~bridge_sched.adapters.CalendarPart`.

A free/busy file says *when* a calendar user is busy without saying *what*:
``VFREEBUSY`` (RFC 5545 §3.6.4) lists busy periods; ``VAVAILABILITY``
(RFC 7953) states recurring available time (working hours) per zone. Only
instants and kinds leave this module; organisers, attendee names, comments,
summaries and locations are never read into a part, a log line or an error.

Rules (``docs/adapters/freebusy-caldav.md`` has the full list and the reasons):

* **Parts.** One part per *account*. The account of a ``VFREEBUSY`` is its
  single ``ATTENDEE`` (``mailto:`` scheme in lower case, address as written),
  else the caller's ``account``, else the file name; ``ORGANIZER`` is never used
  (in a reply it is the requester). The ``VAVAILABILITY`` components of a file
  belong to the caller's ``account``, else the file name. A part's coverage is
  the hull of its spans; time inside the hull that none of them covers is
  listed as ``unknown`` busy (never silently free).
* **FBTYPE.** ``BUSY`` (also the default) -> ``busy``, ``BUSY-TENTATIVE`` ->
  ``tentative``, ``BUSY-UNAVAILABLE`` -> ``out_of_office`` (RFC 5545: "cannot be
  scheduled"), ``FREE`` -> not busy; any other value is ``busy`` (RFC 5545 says
  unknown types MUST be treated as ``BUSY``).
* **Periods** may be start/end or start/duration, in comma lists and folded
  lines; overlapping and duplicated periods are kept as given (the core merges)
  and clipped to the coverage.
* **Floating times** (no ``Z``) in ``FREEBUSY``/``DTSTART``/``DTEND`` of a
  ``VFREEBUSY`` are invalid (RFC 5545 requires UTC). With a caller ``timezone``
  they are read in that zone as a logged repair; without one they are an
  :class:`~bridge_sched.errors.AdapterError`.
* **Coverage** is the ``VFREEBUSY`` ``DTSTART``/``DTEND`` intersected with the
  window (a missing end is taken from the window); a span that misses the window
  gives no part (logged). A ``VFREEBUSY`` in a ``METHOD:REQUEST`` calendar is a
  question, not an answer, and is skipped (logged).
* **VAVAILABILITY.** ``AVAILABLE`` blocks are expanded in their own local time
  (weekly ``RRULE``, ``RDATE``, ``EXDATE``, ``RECURRENCE-ID`` overrides) and
  converted to UTC per occurrence, so zone switches between blocks and DST
  changes keep the local hours. Blocks are painted lowest ``PRIORITY`` first
  (0 = undefined = lowest; among equals, the later ``DTSTART`` is painted later
  and wins the overlap): each ``VAVAILABILITY`` paints its range busy with its
  ``BUSYTYPE``, then its ``AVAILABLE`` occurrences free. The part's
  ``availability`` holds the free stretches; ``coverage`` is the window
  intersected with the hull of all ``VAVAILABILITY`` ranges (open ends reach the
  window's edge). A gap between ranges inside the hull is not restricted by
  RFC 7953 and is therefore available. ``BUSYTYPE=BUSY-TENTATIVE`` time is
  available *and* listed as ``tentative`` busy; ``BUSY``/``BUSY-UNAVAILABLE``
  time is out of hours.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ..errors import AdapterError
from ..model import Busy, BusyKind, Window
from ._parts import CalendarPart, Provenance, SourceName, utc

if TYPE_CHECKING:
    import icalendar

    from .ics import ZoneResolver

__all__ = ["FBTYPE_KINDS", "MAX_AVAILABLE_OCCURRENCES", "load", "parts_from_calendars"]

logger = logging.getLogger("bridge_sched")

_UTC = dt.timezone.utc

FBTYPE_KINDS: Mapping[str, BusyKind | None] = MappingProxyType(
    {
        "BUSY": BusyKind.busy,
        "BUSY-TENTATIVE": BusyKind.tentative,
        "BUSY-UNAVAILABLE": BusyKind.out_of_office,
        "FREE": None,
    }
)
"""``FBTYPE`` -> busy kind (``None``: the period blocks nothing). Other values are ``busy``."""

MAX_AVAILABLE_OCCURRENCES = 100_000
"""Most ``AVAILABLE`` occurrences one file may produce up to the window's end."""

_FAST_FREQS = frozenset({"SECONDLY", "MINUTELY"})
_MAX_ACCOUNT = 300


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------


def _note(name: str, repairs: list[str], text: str) -> None:
    """Record and log one documented repair (once)."""
    if text not in repairs:
        logger.warning("bridge_sched adapter repair: %s: %s", name, text)
        repairs.append(text)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _token(prop: Any) -> str:
    """The iCalendar text of a date/period value (a structural token), for errors."""
    try:
        raw = prop.to_ical()
    except Exception:  # icalendar value types raise various errors on odd values
        return "<value>"
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return text if re.fullmatch(r"[0-9TZ:/,+PWDHMS\-]{1,80}", text) else "<value>"


def _account_of(address: str) -> str:
    """``MAILTO:a@b`` -> ``mailto:a@b`` (scheme in lower case, address as written)."""
    text = address.strip()
    if text[:7].lower() == "mailto:":
        text = "mailto:" + text[7:].strip()
    return text


def _clip(start: dt.datetime, end: dt.datetime, window: Window) -> tuple[dt.datetime, dt.datetime]:
    return max(start, window.start), min(end, window.end)


@dataclass
class _Context:
    """Per-file state: name, zones, caller zone, repairs."""

    name: str
    resolver: ZoneResolver
    window: Window
    repairs: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------
# VFREEBUSY
# ---------------------------------------------------------------------------


@dataclass
class _Block:
    """One VFREEBUSY read: account, coverage (clipped to the window), busy periods."""

    account: str
    start: dt.datetime
    end: dt.datetime
    busy: list[Busy]


def _fb_instant(ctx: _Context, value: Any, where: str, floating: list[str]) -> dt.datetime:
    """A VFREEBUSY date-time in UTC; a floating one is read in the caller's zone (repair)."""
    if not isinstance(value, dt.datetime):
        raise AdapterError(
            ctx.name, where, str(value), "a date where a UTC date-time is required (RFC 5545)"
        )
    if value.tzinfo is not None and value.utcoffset() is not None:
        return utc(value)
    zone = getattr(ctx.resolver, "default_name", None)
    if zone is None:
        raise AdapterError(
            ctx.name,
            where,
            value.strftime("%Y%m%dT%H%M%S"),
            "floating time in a VFREEBUSY (RFC 5545 requires UTC); pass timezone= to read "
            "floating times in a zone",
        )
    floating.append(where)
    return ctx.resolver.to_utc(value, None, where)


def _fb_account(comp: Any, ctx: _Context, where: str, fallback: str | None) -> str:
    """The account of one VFREEBUSY: its single ATTENDEE, else ``fallback``, else the name."""
    attendees = [_account_of(str(a)) for a in _as_list(comp.get("ATTENDEE"))]
    attendees = sorted({a for a in attendees if a and a.lower() != "mailto:"})
    if len(attendees) > 1:
        raise AdapterError(
            ctx.name,
            f"{where}.ATTENDEE",
            str(len(attendees)),
            "several ATTENDEEs: cannot tell whose free/busy this is",
        )
    if attendees:
        account = attendees[0]
        if len(account) > _MAX_ACCOUNT:
            raise AdapterError(
                ctx.name, f"{where}.ATTENDEE", "ATTENDEE", "address longer than 300 characters"
            )
        return account
    return fallback or ctx.name


def _read_vfreebusy(
    comp: Any, ctx: _Context, where: str, fallback: str | None, attendee: bool
) -> _Block | None:
    account = _fb_account(comp, ctx, where, fallback) if attendee else fallback or ctx.name
    floating: list[str] = []
    start = ctx.window.start
    end = ctx.window.end
    if comp.get("DTSTART") is not None:
        start = _fb_instant(ctx, comp["DTSTART"].dt, f"{where}.DTSTART", floating)
    if comp.get("DTEND") is not None:
        end = _fb_instant(ctx, comp["DTEND"].dt, f"{where}.DTEND", floating)
    if end <= start:
        raise AdapterError(
            ctx.name,
            f"{where}.DTEND",
            end.strftime("%Y%m%dT%H%M%SZ"),
            "DTEND is not after DTSTART",
        )
    busy: list[Busy] = []
    pending: list[tuple[dt.datetime, dt.datetime, BusyKind]] = []
    for index, prop in enumerate(_as_list(comp.get("FREEBUSY"))):
        here = f"{where}.FREEBUSY[{index}]"
        if not hasattr(prop, "start") or not hasattr(prop, "params"):
            raise AdapterError(ctx.name, here, "FREEBUSY", "value is not a PERIOD list")
        fbtype = str(prop.params.get("FBTYPE", "BUSY")).strip().upper() or "BUSY"
        kind = FBTYPE_KINDS.get(fbtype, BusyKind.busy)
        p_start = _fb_instant(ctx, prop.start, here, floating)
        if prop.by_duration:
            p_end = p_start + prop.duration
        else:
            p_end = _fb_instant(ctx, prop.end, here, floating)
        if p_end < p_start:
            raise AdapterError(ctx.name, here, _token(prop), "period ends before it starts")
        if kind is not None:
            pending.append((p_start, p_end, kind))
    if floating:
        zone = getattr(ctx.resolver, "default_name", None)
        _note(
            ctx.name,
            ctx.repairs,
            f"{where}: {len(floating)} floating time(s) (RFC 5545 requires UTC) read in "
            f"the caller's zone {zone}",
        )
    c_start, c_end = _clip(start, end, ctx.window)
    if c_end <= c_start:
        logger.info(
            "bridge_sched adapter: %s: %s span does not reach the window; no part", ctx.name, where
        )
        return None
    for p_start, p_end, kind in pending:
        s, e = max(p_start, c_start), min(p_end, c_end)
        if e > s:
            busy.append(Busy(start=s, end=e, kind=kind))
    return _Block(account, c_start, c_end, busy)


def _account_part(
    account: str,
    spans: list[tuple[dt.datetime, dt.datetime]],
    busy: list[Busy],
    available: list[tuple[dt.datetime, dt.datetime]] | None,
    provenance: Provenance,
) -> CalendarPart:
    """One account's part: coverage = hull of its spans, gaps inside it ``unknown``."""
    start = min(s for s, _ in spans)
    end = max(e for _, e in spans)
    out = list(busy)
    cursor = start
    for s, e in sorted(spans):
        if s > cursor:
            out.append(Busy(start=cursor, end=s, kind=BusyKind.unknown))
        cursor = max(cursor, e)
    out.sort(key=lambda b: (b.start, b.end, b.kind.value))
    return CalendarPart(
        account=account,
        busy=tuple(out),
        availability=None
        if available is None
        else tuple(Window(start=s, end=e) for s, e in available),
        coverage=Window(start=start, end=end),
        provenance=provenance,
    )


# ---------------------------------------------------------------------------
# VAVAILABILITY
# ---------------------------------------------------------------------------


@dataclass
class _Range:
    """One VAVAILABILITY: its range clipped to the window, paint order and free stretches."""

    start: dt.datetime
    end: dt.datetime
    busytype: str
    order: tuple[int, dt.datetime, int]
    free: list[tuple[dt.datetime, dt.datetime]]


def _avail_instant(ctx: _Context, item: Any, where: str) -> dt.datetime:
    """A VAVAILABILITY/AVAILABLE date-time (with its TZID) in UTC; DATE values are refused."""
    value = item.dt
    if not isinstance(value, dt.datetime):
        raise AdapterError(
            ctx.name, where, str(value), "a DATE where RFC 7953 requires a DATE-TIME"
        )
    tzid = item.params.get("TZID") if hasattr(item, "params") else None
    naive = value.replace(tzinfo=None) if tzid is not None else value
    return ctx.resolver.to_utc(naive, tzid, where)


def _wall(item: Any) -> tuple[dt.datetime, str | None, bool]:
    """The wall-clock value of a date-time as written, its TZID and whether it is UTC."""
    value = item.dt
    tzid = item.params.get("TZID") if hasattr(item, "params") else None
    if tzid is not None:
        return value.replace(tzinfo=None), str(tzid), False
    if value.tzinfo is not None:
        return value.astimezone(_UTC).replace(tzinfo=None), None, True
    return value, None, False


def _local_to_utc(
    ctx: _Context, wall: dt.datetime, tzid: str | None, is_utc: bool, where: str
) -> dt.datetime:
    if is_utc:
        return wall.replace(tzinfo=_UTC)
    return ctx.resolver.to_utc(wall, tzid, where)


def _end_of(
    ctx: _Context, comp: Any, where: str, start_wall: dt.datetime, tzid: str | None, is_utc: bool
) -> tuple[dt.timedelta, dt.timedelta, bool]:
    """How to reach an occurrence's end: (nominal days, exact seconds, end in local wall time).

    Returns ``(wall_delta, exact_delta, True)`` when DTEND is in the start's zone
    (end = wall start + wall_delta, converted), or DURATION (nominal days added in
    local time, then the exact time part); ``(0, exact, False)`` for a DTEND in
    another zone (a fixed length).
    """
    end_item = comp.get("DTEND")
    duration = comp.get("DURATION")
    if end_item is not None and duration is not None:
        raise AdapterError(ctx.name, f"{where}.DURATION", "DURATION", "both DTEND and DURATION")
    if end_item is not None:
        if not isinstance(end_item.dt, dt.datetime):
            raise AdapterError(
                ctx.name, f"{where}.DTEND", str(end_item.dt), "a DATE where a DATE-TIME is required"
            )
        e_wall, e_tzid, e_utc = _wall(end_item)
        if e_tzid == tzid and e_utc == is_utc:
            delta = e_wall - start_wall
            if delta <= dt.timedelta(0):
                raise AdapterError(
                    ctx.name, f"{where}.DTEND", _token(end_item), "DTEND is not after DTSTART"
                )
            return delta, dt.timedelta(0), True
        start_utc = _local_to_utc(ctx, start_wall, tzid, is_utc, f"{where}.DTSTART")
        end_utc = _local_to_utc(ctx, e_wall, e_tzid, e_utc, f"{where}.DTEND")
        if end_utc <= start_utc:
            raise AdapterError(
                ctx.name, f"{where}.DTEND", _token(end_item), "DTEND is not after DTSTART"
            )
        return dt.timedelta(0), end_utc - start_utc, False
    if duration is not None:
        delta = duration.dt
        if not isinstance(delta, dt.timedelta) or delta <= dt.timedelta(0):
            raise AdapterError(ctx.name, f"{where}.DURATION", "DURATION", "not a positive duration")
        days = dt.timedelta(days=delta.days)
        return days, delta - days, True
    raise AdapterError(ctx.name, where, "DTEND", "AVAILABLE without DTEND or DURATION")


def _rule_starts(
    ctx: _Context,
    comp: Any,
    where: str,
    start_wall: dt.datetime,
    tzid: str | None,
    is_utc: bool,
    horizon_wall: dt.datetime,
) -> list[dt.datetime]:
    """Wall-clock starts of ``comp``: its ``RRULE`` occurrences up to the horizon, else DTSTART.

    A ``DTSTART`` that its ``RRULE`` does not produce (RFC 5545: "undefined") is
    not an occurrence: RFC 7953's own example starts a Monday-to-Friday block on
    a Sunday. Leaving it out is logged as a repair.
    """
    from dateutil.rrule import rrulestr  # type: ignore[import-untyped]

    rules = _as_list(comp.get("RRULE"))
    if not rules:
        return [start_wall]
    starts: set[dt.datetime] = set()
    for rule in rules:
        here = f"{where}.RRULE"
        try:
            parts = {str(k).upper(): v for k, v in dict(rule).items()}
        except Exception:  # icalendar keeps an unparsable RRULE as another type
            raise AdapterError(ctx.name, here, "RRULE", "malformed RRULE") from None
        freq = str((parts.get("FREQ") or [""])[0]).upper()
        if freq in _FAST_FREQS:
            raise AdapterError(ctx.name, here, freq, "AVAILABLE recurring more often than hourly")
        until = (parts.pop("UNTIL", None) or [None])[0]
        try:
            text = type(rule)(parts).to_ical().decode("ascii")
            recur = rrulestr(text, dtstart=start_wall)
        except Exception:  # dateutil raises ValueError/TypeError on odd rules
            raise AdapterError(ctx.name, here, "RRULE", "malformed RRULE") from None
        for count, occurrence in enumerate(recur):
            if occurrence > horizon_wall:
                break
            if count > MAX_AVAILABLE_OCCURRENCES:
                raise AdapterError(
                    ctx.name,
                    here,
                    "RRULE",
                    f"more than {MAX_AVAILABLE_OCCURRENCES} occurrences before the window ends",
                )
            if until is not None:
                if isinstance(until, dt.datetime) and until.tzinfo is not None:
                    # UNTIL in UTC bounds the instant of each start (RFC 5545).
                    if _local_to_utc(ctx, occurrence, tzid, is_utc, here) > utc(until):
                        break
                elif isinstance(until, dt.datetime):
                    if occurrence > until:
                        break
                elif occurrence.date() > until:
                    break
            starts.add(occurrence)
    if start_wall not in starts and start_wall <= horizon_wall:
        _note(
            ctx.name,
            ctx.repairs,
            f"{where}: DTSTART {start_wall:%Y%m%dT%H%M%S} is not an occurrence of its RRULE "
            "(RFC 5545: undefined); not counted as available",
        )
    return sorted(starts)


def _available_occurrences(
    ctx: _Context,
    comp: Any,
    where: str,
    overrides: Mapping[dt.datetime, Any],
    *,
    single: bool = False,
) -> list[tuple[dt.datetime, dt.datetime]]:
    """UTC (start, end) of the occurrences of one AVAILABLE up to the window's end.

    ``single`` reads an override (``RECURRENCE-ID``) as its one occurrence.
    """
    start_item = comp.get("DTSTART")
    if start_item is None:
        raise AdapterError(ctx.name, f"{where}.DTSTART", "DTSTART", "AVAILABLE without DTSTART")
    if not isinstance(start_item.dt, dt.datetime):
        raise AdapterError(
            ctx.name,
            f"{where}.DTSTART",
            str(start_item.dt),
            "a DATE where RFC 7953 requires a DATE-TIME",
        )
    start_wall, tzid, is_utc = _wall(start_item)
    wall_delta, exact_delta, local_end = _end_of(ctx, comp, where, start_wall, tzid, is_utc)

    def occurrence(wall: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        s_utc = _local_to_utc(ctx, wall, tzid, is_utc, f"{where}.DTSTART")
        if not local_end:
            return s_utc, s_utc + exact_delta
        e_utc = _local_to_utc(ctx, wall + wall_delta, tzid, is_utc, f"{where}.DTEND")
        return s_utc, e_utc + exact_delta

    if single:
        return [occurrence(start_wall)]
    horizon_wall = ctx.window.end.replace(tzinfo=None) + dt.timedelta(days=2)
    walls = _rule_starts(ctx, comp, where, start_wall, tzid, is_utc, horizon_wall)
    found = [occurrence(wall) for wall in walls]
    for index, rdate in enumerate(_as_list(comp.get("RDATE"))):
        here = f"{where}.RDATE[{index}]"
        r_tzid = rdate.params.get("TZID") if hasattr(rdate, "params") else None
        for entry in getattr(rdate, "dts", []):
            value = entry.dt
            if isinstance(value, tuple):
                p_start, p_end = value
                s = _dated_utc(ctx, p_start, r_tzid, tzid, here)
                if isinstance(p_end, dt.timedelta):
                    found.append((s, s + p_end))
                else:
                    found.append((s, _dated_utc(ctx, p_end, r_tzid, tzid, here)))
            elif isinstance(value, dt.datetime) and r_tzid is None and value.tzinfo is not None:
                s = utc(value)
                found.append((s, s + wall_delta + exact_delta))
            elif isinstance(value, dt.datetime):
                wall = value.replace(tzinfo=None)
                if r_tzid is None or str(r_tzid) == tzid:
                    found.append(occurrence(wall))
                else:
                    s = _dated_utc(ctx, value, r_tzid, tzid, here)
                    found.append((s, s + wall_delta + exact_delta))
            else:
                raise AdapterError(ctx.name, here, str(value), "DATE in RDATE of an AVAILABLE")
    excluded: set[dt.datetime] = set()
    for index, exdate in enumerate(_as_list(comp.get("EXDATE"))):
        here = f"{where}.EXDATE[{index}]"
        e_tzid = exdate.params.get("TZID") if hasattr(exdate, "params") else None
        for entry in getattr(exdate, "dts", []):
            value = entry.dt
            if isinstance(value, dt.datetime):
                excluded.add(_dated_utc(ctx, value, e_tzid, tzid, here))
            else:
                excluded.update(occurrence(w)[0] for w in walls if w.date() == value)
    result: list[tuple[dt.datetime, dt.datetime]] = []
    seen: set[dt.datetime] = set()
    for s_utc, e_utc in sorted(found):
        if s_utc in excluded or s_utc in seen or s_utc in overrides:
            continue  # excluded, a duplicate, or replaced by an override
        seen.add(s_utc)
        if e_utc > s_utc:
            result.append((s_utc, e_utc))
    return result


def _dated_utc(
    ctx: _Context, value: Any, tzid: Any, series_tzid: str | None, where: str
) -> dt.datetime:
    """An RDATE/EXDATE date-time in UTC; a floating one is read in the series' zone."""
    if not isinstance(value, dt.datetime):
        raise AdapterError(ctx.name, where, str(value), "a DATE where a DATE-TIME is required")
    if tzid is not None:
        return ctx.resolver.to_utc(value.replace(tzinfo=None), str(tzid), where)
    if value.tzinfo is None and series_tzid is not None:
        _note(
            ctx.name,
            ctx.repairs,
            f"{where}: floating date-time in a block with TZID {series_tzid!r} read in that zone",
        )
        return ctx.resolver.to_utc(value, series_tzid, where)
    return ctx.resolver.to_utc(value, None, where)


def _read_vavailability(comp: Any, ctx: _Context, where: str, ordinal: int) -> _Range | None:
    start = dt.datetime.min.replace(tzinfo=_UTC)
    end = dt.datetime.max.replace(tzinfo=_UTC)
    if comp.get("DTSTART") is not None:
        start = _avail_instant(ctx, comp["DTSTART"], f"{where}.DTSTART")
    if comp.get("DTEND") is not None and comp.get("DURATION") is not None:
        raise AdapterError(ctx.name, f"{where}.DURATION", "DURATION", "both DTEND and DURATION")
    if comp.get("DTEND") is not None:
        end = _avail_instant(ctx, comp["DTEND"], f"{where}.DTEND")
    elif comp.get("DURATION") is not None:
        if comp.get("DTSTART") is None:
            raise AdapterError(
                ctx.name, f"{where}.DURATION", "DURATION", "DURATION without DTSTART"
            )
        end = start + comp["DURATION"].dt
    if end <= start:
        raise AdapterError(ctx.name, f"{where}.DTEND", "DTEND", "DTEND is not after DTSTART")
    busytype = str(comp.get("BUSYTYPE", "BUSY-UNAVAILABLE")).strip().upper() or "BUSY-UNAVAILABLE"
    try:
        priority = int(str(comp.get("PRIORITY", 0)).strip() or 0)
    except ValueError:
        raise AdapterError(ctx.name, f"{where}.PRIORITY", "PRIORITY", "not an integer") from None
    if not 0 <= priority <= 9:
        raise AdapterError(ctx.name, f"{where}.PRIORITY", str(priority), "PRIORITY must be 0-9")
    rank = 10 if priority == 0 else priority
    lo, hi = _clip(start, end, ctx.window)
    # Read the AVAILABLE blocks even when the range misses the window, so that a
    # broken block is reported the same way whatever the window.
    availables = [c for c in comp.subcomponents if c.name == "AVAILABLE"]
    overrides: dict[str, dict[dt.datetime, Any]] = {}
    for index, sub in enumerate(availables):
        rid = sub.get("RECURRENCE-ID")
        if rid is not None:
            key = _avail_instant(ctx, rid, f"{where}.AVAILABLE[{index}].RECURRENCE-ID")
            overrides.setdefault(str(sub.get("UID", "")), {})[key] = sub
    free: list[tuple[dt.datetime, dt.datetime]] = []
    for index, sub in enumerate(availables):
        here = f"{where}.AVAILABLE[{index}]"
        if sub.get("RECURRENCE-ID") is not None:
            own = _available_occurrences(ctx, sub, here, {}, single=True)
        else:
            own = _available_occurrences(ctx, sub, here, overrides.get(str(sub.get("UID", "")), {}))
        for s, e in own:
            s, e = max(s, lo), min(e, hi)
            if e > s:
                free.append((s, e))
    if hi <= lo:
        return None
    return _Range(lo, hi, busytype, (-rank, start, ordinal), free)


def _paint(
    segments: list[tuple[dt.datetime, dt.datetime, str]],
    start: dt.datetime,
    end: dt.datetime,
    label: str,
) -> list[tuple[dt.datetime, dt.datetime, str]]:
    out: list[tuple[dt.datetime, dt.datetime, str]] = []
    for s, e, old in segments:
        if e <= start or s >= end:
            out.append((s, e, old))
            continue
        if s < start:
            out.append((s, start, old))
        out.append((max(s, start), min(e, end), label))
        if e > end:
            out.append((end, e, old))
    return out


@dataclass
class _Availability:
    """The painted result: available stretches, tentative time and the hull."""

    available: list[tuple[dt.datetime, dt.datetime]]
    tentative: list[Busy]
    start: dt.datetime
    end: dt.datetime


def _availability(ranges: list[_Range], ctx: _Context) -> _Availability | None:
    """Paint the ranges (lowest priority first) and read off the available time."""
    if not ranges:
        return None
    hull_start = min(r.start for r in ranges)
    hull_end = max(r.end for r in ranges)
    segments: list[tuple[dt.datetime, dt.datetime, str]] = [(hull_start, hull_end, "OPEN")]
    for item in sorted(ranges, key=lambda r: r.order):
        segments = _paint(segments, item.start, item.end, item.busytype)
        for s, e in sorted(item.free):
            segments = _paint(segments, s, e, "FREE")
    available: list[tuple[dt.datetime, dt.datetime]] = []
    tentative: list[Busy] = []
    seams = dt.timedelta(0)
    for s, e, label in segments:
        if e <= s:
            continue
        if label == "OPEN":
            seams += e - s
        if label in ("FREE", "BUSY-TENTATIVE"):
            if available and available[-1][1] >= s:
                available[-1] = (available[-1][0], max(available[-1][1], e))
            else:
                available.append((s, e))
        if label == "BUSY-TENTATIVE":
            if tentative and tentative[-1].end >= s:
                tentative[-1] = Busy(start=tentative[-1].start, end=e, kind=BusyKind.tentative)
            else:
                tentative.append(Busy(start=s, end=e, kind=BusyKind.tentative))
    if seams:
        minutes = int(seams.total_seconds() // 60)
        _note(
            ctx.name,
            ctx.repairs,
            f"VAVAILABILITY: {minutes} min between ranges covered by none of them read as "
            "out of hours (RFC 7953 leaves such time unrestricted)",
        )
    return _Availability(available, tentative, hull_start, hull_end)


# ---------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------


def parts_from_calendars(
    calendars: Sequence[icalendar.Calendar],
    resolver: ZoneResolver,
    *,
    window: Window,
    fetched_at: dt.datetime,
    account: str | None,
    name: str,
    source: SourceName = "ics",
    repairs: Iterable[str] = (),
    attendee_accounts: bool = True,
) -> tuple[CalendarPart, ...]:
    """Parts for the ``VFREEBUSY`` and ``VAVAILABILITY`` components of parsed calendars.

    ``VEVENT``, ``VTODO`` and ``VJOURNAL`` components are not read here (use
    :func:`bridge_sched.adapters.ics.load`); :func:`bridge_sched.adapters.ics.load`
    calls this for files that mix events with free/busy.

    Parameters
    ----------
    calendars
        The file's calendars, from :func:`bridge_sched.adapters.ics.parse_calendars`.
    resolver
        The file's zone resolver; its default zone (the caller's ``timezone``)
        is the zone floating ``VFREEBUSY`` times are read in (a repair).
    window
        The UTC span asked about; coverage and periods are clipped to it.
    fetched_at
        When the file was fetched (aware).
    account
        Account for components that do not name one (no single ``ATTENDEE``)
        and for the ``VAVAILABILITY`` part; defaults to ``name``.
    name
        File name or label, for messages and provenance.
    source
        ``Provenance.source`` of the parts (``"ics"`` or ``"caldav"``).
    repairs
        Repairs the caller already applied to this file (kept first).
    attendee_accounts
        Whether a single ``ATTENDEE`` names a ``VFREEBUSY``'s account (the
        default); ``False`` puts everything under ``account`` (a CalDAV
        recipient, whose href is authoritative).

    Returns
    -------
    tuple of CalendarPart
        One part per account, sorted by account. Empty when nothing in the
        file reaches the window.

    Raises
    ------
    AdapterError
        A floating time without a caller zone, several ``ATTENDEE``s, a ``DATE``
        where a date-time is required, an unknown ``TZID``, an end before a start.
    """
    ctx = _Context(name=name, resolver=resolver, window=window, repairs=list(repairs))
    blocks: list[_Block] = []
    ranges: list[_Range] = []
    fb_index = 0
    av_index = 0
    for calendar in calendars:
        method = str(calendar.get("METHOD", "")).strip().upper()
        for comp in calendar.subcomponents:
            if comp.name == "VFREEBUSY":
                where = f"VFREEBUSY[{fb_index}]"
                fb_index += 1
                if method == "REQUEST":
                    logger.info(
                        "bridge_sched adapter: %s: %s is a free/busy request (METHOD:REQUEST); "
                        "skipped",
                        name,
                        where,
                    )
                    continue
                block = _read_vfreebusy(comp, ctx, where, account, attendee_accounts)
                if block is not None:
                    blocks.append(block)
            elif comp.name == "VAVAILABILITY":
                where = f"VAVAILABILITY[{av_index}]"
                found = _read_vavailability(comp, ctx, where, av_index)
                av_index += 1
                if found is not None:
                    ranges.append(found)
    painted = _availability(ranges, ctx)
    for repair in getattr(resolver, "repairs", []):
        if repair not in ctx.repairs:
            ctx.repairs.append(repair)
    provenance = Provenance(
        source=source,
        kind="calendar",
        name=name,
        fetched_at=fetched_at,
        repairs=tuple(ctx.repairs),
    )
    if av_index and not ranges:
        logger.info("bridge_sched adapter: %s: no VAVAILABILITY reaches the window", name)
    spans: dict[str, list[tuple[dt.datetime, dt.datetime]]] = {}
    busy: dict[str, list[Busy]] = {}
    for block in blocks:
        spans.setdefault(block.account, []).append((block.start, block.end))
        busy.setdefault(block.account, []).extend(block.busy)
    own = account or name
    if painted is not None:
        spans.setdefault(own, []).append((painted.start, painted.end))
        busy.setdefault(own, []).extend(painted.tentative)
    return tuple(
        _account_part(
            key,
            spans[key],
            busy[key],
            painted.available if painted is not None and key == own else None,
            provenance,
        )
        for key in sorted(spans)
    )


def load(
    source: str | os.PathLike[str] | bytes,
    *,
    window: Window,
    fetched_at: dt.datetime,
    account: str | None = None,
    timezone: str | None = None,
    name: str | None = None,
) -> tuple[CalendarPart, ...]:
    """Free/busy parts of an iCalendar file holding ``VFREEBUSY`` and/or ``VAVAILABILITY``.

    Parameters
    ----------
    source
        A path to the ``.ics`` file, or its bytes.
    window
        The UTC span asked about.
    fetched_at
        When the file was fetched (aware).
    account
        Account for ``VFREEBUSY`` without a single ``ATTENDEE`` and for the
        ``VAVAILABILITY`` part; defaults to the file name.
    timezone
        IANA zone in which floating ``VFREEBUSY`` times (invalid per RFC 5545)
        are read, as a logged repair; ``None`` makes them an error. Also the
        zone of floating ``AVAILABLE`` times.
    name
        Label for messages and provenance; defaults to the file name.

    Returns
    -------
    tuple of CalendarPart
        See :func:`parts_from_calendars`.

    Raises
    ------
    AdapterError
        When the file cannot be read without guessing, or holds neither
        ``VFREEBUSY`` nor ``VAVAILABILITY``.
    """
    from . import ics

    data, label = ics._read_source(source, name)
    parsed = ics._parse(data, label)
    repairs = list(parsed.repairs)
    if timezone is not None:
        from ._zones import match_zone_name

        match = match_zone_name(timezone)
        if match is None or match.iana != timezone:
            raise AdapterError(label, "timezone", timezone, "not an IANA zone name")
    return _load_calendars(
        parsed.calendars,
        window=window,
        fetched_at=fetched_at,
        account=account,
        timezone=timezone,
        name=label,
        source="ics",
        repairs=repairs,
    )


def _load_calendars(
    calendars: Sequence[icalendar.Calendar],
    *,
    window: Window,
    fetched_at: dt.datetime,
    account: str | None,
    timezone: str | None,
    name: str,
    source: SourceName,
    repairs: Sequence[str],
    attendee_accounts: bool = True,
) -> tuple[CalendarPart, ...]:
    """Shared by :func:`load` and the CalDAV adapter: check content, resolve zones, read."""
    from .ics import ZoneResolver

    kinds = {str(c.name) for cal in calendars for c in cal.subcomponents}
    if not kinds & {"VFREEBUSY", "VAVAILABILITY"}:
        raise AdapterError(
            name, "VCALENDAR", "VFREEBUSY", "no VFREEBUSY or VAVAILABILITY in the file"
        )
    ignored = sorted(kinds & {"VEVENT", "VTODO", "VJOURNAL"})
    if ignored:
        logger.info(
            "bridge_sched adapter: %s: %s not read by the free/busy adapter (use ics.load)",
            name,
            ", ".join(ignored),
        )
    resolver = ZoneResolver(list(calendars), name, timezone)
    return parts_from_calendars(
        calendars,
        resolver,
        window=window,
        fetched_at=fetched_at,
        account=account,
        name=name,
        source=source,
        repairs=repairs,
        attendee_accounts=attendee_accounts,
    )
