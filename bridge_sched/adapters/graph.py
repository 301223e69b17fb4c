"""Microsoft Graph: ``calendar/getSchedule`` and ``findMeetingTimes`` response bodies.

:func:`load_schedule` turns a ``getSchedule`` body (``{"value": [scheduleInformation, ...]}``)
into one :class:`~bridge_sched.adapters.CalendarPart` per ``scheduleId``;
:func:`load_meeting_times` turns a ``findMeetingTimes`` body into
:class:`MeetingTimes`, Graph's own suggestions, for comparison with ours.

Times. Graph writes ``{"dateTime": "2019-03-15T12:00:00.0000000", "timeZone":
"Pacific Standard Time"}``: a *local* wall-clock time (seven-digit fraction) in
the zone that the request's ``Prefer: outlook.timezone`` header chose (UTC when
there was none). The zone is a Windows id or an IANA name; it is mapped with
:func:`~bridge_sched.adapters._zones.match_zone_name` and the local time is
resolved with IANA rules for that date (skipped/repeated local times follow
the default ``compatible`` policy). A ``dateTime`` that carries its own offset
is taken as that instant. A ``dateTime`` with neither offset nor ``timeZone`` is
an :class:`~bridge_sched.errors.AdapterError` naming its JSON path.

Statuses (case-insensitive; the docs show both ``"busy"`` and ``"Busy"``):
``busy`` -> busy, ``tentative`` -> tentative, ``oof`` -> out_of_office,
``unknown`` -> unknown; ``free`` and ``workingElsewhere`` are *not* busy (Graph
itself writes working-elsewhere as ``0``, free, in ``availabilityView``).
Anything else is an error. ``subject``, ``location``, ``isPrivate`` and every
other member of a schedule item are never read.

See ``docs/adapters/json-sources.md`` for the availability view, working hours
and custom time zones.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .._tz import load_zone
from ..errors import AdapterError
from ..model import Busy, BusyKind, LocalTimePolicy, TimeRange, UtcDatetime, WeeklyHours, Window
from ..timegrid import resolve_local
from ._json import (
    JsonSource,
    Node,
    clip_window,
    merge_windows,
    read_json_document,
    safe_token,
    sort_busy,
    source_name,
)
from ._parts import CalendarPart, Provenance
from ._zones import match_zone_name

__all__ = [
    "AttendeeAvailability",
    "Availability",
    "MeetingTimeSuggestion",
    "MeetingTimes",
    "load",
    "load_meeting_times",
    "load_schedule",
]

logger = logging.getLogger("bridge_sched")

UTC = dt.timezone.utc
_POLICY = LocalTimePolicy()
_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_FIELDS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

Availability = Literal["free", "tentative", "busy", "oof", "workingElsewhere", "unknown"]
"""Graph's ``freeBusyStatus`` values, in the API's spelling."""

_STATUS: dict[str, Availability] = {
    "free": "free",
    "tentative": "tentative",
    "busy": "busy",
    "oof": "oof",
    "workingelsewhere": "workingElsewhere",
    "unknown": "unknown",
}
_KIND: dict[str, BusyKind | None] = {
    "free": None,
    "workingElsewhere": None,
    "tentative": BusyKind.tentative,
    "busy": BusyKind.busy,
    "oof": BusyKind.out_of_office,
    "unknown": BusyKind.unknown,
}
# availabilityView digits: severity (for the cross-check) and kind.
_VIEW: dict[str, tuple[int, BusyKind | None]] = {
    "0": (0, None),
    "1": (1, BusyKind.tentative),
    "2": (2, BusyKind.busy),
    "3": (3, BusyKind.out_of_office),
    "4": (0, None),  # workingElsewhere, where a server writes it
}
_SEVERITY: dict[BusyKind, int] = {
    BusyKind.tentative: 1,
    BusyKind.busy: 2,
    BusyKind.out_of_office: 3,
    BusyKind.unknown: 0,  # not expressible in the view: never contradicts it
}


# ---------------------------------------------------------------------------
# Shared readers
# ---------------------------------------------------------------------------


def _status(node: Node) -> Availability:
    text = node.text()
    status = _STATUS.get(text.strip().lower())
    if status is None:
        node.fail("unknown free/busy status", safe_token(text, 40))
    return status


def _graph_time(node: Node, repairs: list[str]) -> dt.datetime:
    """A ``dateTimeTimeZone`` object -> aware UTC instant."""
    stamp = node.key("dateTime")
    value = stamp.datetime()
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    zone_node = node.get("timeZone")
    if zone_node is None:
        stamp.fail("date-time without a UTC offset or time zone", safe_token(stamp.text()))
    zone_name = zone_node.text()
    match = match_zone_name(zone_name)
    if match is None:
        zone_node.fail("unknown time zone (neither IANA nor Windows)", safe_token(zone_name))
    if match.repair and match.repair not in repairs:
        repairs.append(match.repair)
    return resolve_local(load_zone(match.iana), value, _POLICY, stamp.where)


def _clock(node: Node) -> str:
    """``"08:00:00.0000000"`` -> ``"08:00"`` (seconds must be zero)."""
    text = node.text()
    parts = text.strip().split(":")
    try:
        hours, minutes = int(parts[0]), int(parts[1])
        seconds = float(parts[2]) if len(parts) > 2 else 0.0
    except (ValueError, IndexError):
        node.fail("not a time of day HH:MM:SS", safe_token(text))
    if len(parts) > 3 or not (0 <= hours <= 23 and 0 <= minutes <= 59) or seconds != 0:
        node.fail("not a whole-minute time of day HH:MM:SS", safe_token(text))
    return f"{hours:02d}:{minutes:02d}"


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _weekday(node: Node) -> int:
    text = node.text()
    try:
        return _DAY_NAMES.index(text.strip().lower())
    except ValueError:
        node.fail("not a day of the week", safe_token(text, 20))


# ---------------------------------------------------------------------------
# Custom time zones (Windows TIME_ZONE_INFORMATION rules)
# ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Rule:
    month: int
    occurrence: int  # 1-4, 5 = last
    weekday: int  # 0 = Monday
    minute: int  # local clock minute of the change

    def local(self, year: int) -> dt.datetime:
        first = dt.date(year, self.month, 1)
        day = first + dt.timedelta(days=(self.weekday - first.weekday()) % 7)
        day += dt.timedelta(weeks=self.occurrence - 1)
        while day.month != self.month:  # occurrence 5 = the last one in the month
            day -= dt.timedelta(weeks=1)
        return dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=self.minute)


@dataclasses.dataclass(frozen=True)
class _CustomZone:
    """A zone given as bias rules: UTC = local + bias (minutes)."""

    standard: dt.timedelta
    daylight: dt.timedelta | None = None
    to_daylight: _Rule | None = None  # read on the standard clock
    to_standard: _Rule | None = None  # read on the daylight clock

    def is_daylight(self, instant: dt.datetime) -> bool:
        if self.daylight is None or self.to_daylight is None or self.to_standard is None:
            return False
        naive = instant.replace(tzinfo=None)
        on = self.to_daylight.local(naive.year) - self.standard
        off = self.to_standard.local(naive.year) - self.daylight
        if on < off:
            return on <= naive < off
        return naive >= on or naive < off  # southern hemisphere: daylight spans new year

    def to_utc(self, local: dt.datetime) -> dt.datetime:
        """Local wall clock -> UTC; skipped times move forward, repeated ones take the earlier."""
        as_standard = local - self.standard
        if self.daylight is None:
            return as_standard.replace(tzinfo=UTC)
        as_daylight = local - self.daylight
        ok_standard = not self.is_daylight(as_standard)
        ok_daylight = self.is_daylight(as_daylight)
        if ok_standard and ok_daylight:
            chosen = min(as_standard, as_daylight)  # repeated: earlier occurrence
        elif ok_standard:
            chosen = as_standard
        elif ok_daylight:
            chosen = as_daylight
        else:
            chosen = max(as_standard, as_daylight)  # skipped: offset from before the change
        return chosen.replace(tzinfo=UTC)

    def local_date(self, instant: dt.datetime) -> dt.date:
        offset = self.daylight if self.is_daylight(instant) else self.standard
        assert offset is not None
        return (instant.replace(tzinfo=None) + offset).date()


def _rule(node: Node) -> _Rule | None:
    month = node.key("month").integer(minimum=0, maximum=12)
    if month == 0:
        return None
    year = node.get("year")
    if year is not None and year.integer() != 0:
        year.fail("absolute-date zone transitions are not supported", year.integer())
    occurrence = node.key("dayOccurrence").integer(minimum=1, maximum=5)
    weekday = _weekday(node.key("dayOfWeek"))
    clock = _clock(node.key("time"))
    return _Rule(month, occurrence, weekday, _minutes(clock))


def _custom_zone(node: Node) -> _CustomZone:
    bias = node.key("bias").integer(minimum=-24 * 60, maximum=24 * 60)
    standard = dt.timedelta(minutes=-bias)
    daylight_node = node.get("daylightOffset")
    standard_node = node.get("standardOffset")
    if daylight_node is None or standard_node is None:
        return _CustomZone(standard)
    daylight_bias = daylight_node.get("daylightBias")
    extra = daylight_bias.integer(minimum=-24 * 60, maximum=24 * 60) if daylight_bias else 0
    to_daylight, to_standard = _rule(daylight_node), _rule(standard_node)
    if extra == 0 or to_daylight is None or to_standard is None:
        return _CustomZone(standard)
    return _CustomZone(standard, dt.timedelta(minutes=-(bias + extra)), to_daylight, to_standard)


# ---------------------------------------------------------------------------
# Working hours
# ---------------------------------------------------------------------------


@dataclasses.dataclass
class _Hours:
    timezone: str | None = None
    weekly: WeeklyHours | None = None
    availability: tuple[Window, ...] | None = None


def _working_hours(node: Node, coverage: Window | None, repairs: list[str]) -> _Hours:
    days = sorted({_weekday(d) for d in node.key("daysOfWeek").items()})
    start = _clock(node.key("startTime"))
    end = _clock(node.key("endTime"))
    end_text = "24:00" if end == "00:00" else end
    try:
        day_range = TimeRange(start=start, end=end_text)
    except ValidationError:
        node.key("endTime").fail("working hours start and end at the same time", end)
    zone = node.get("timeZone")
    if zone is None:
        node.fail("working hours without a time zone", "timeZone")
    name_node = zone.get("name")
    zone_name = name_node.text() if name_node is not None else ""
    match = match_zone_name(zone_name) if zone_name else None
    if match is not None:
        if match.repair and match.repair not in repairs:
            repairs.append(match.repair)
        weekly = WeeklyHours(
            **{field: ((day_range,) if i in days else ()) for i, field in enumerate(_DAY_FIELDS)}
        )
        return _Hours(timezone=match.iana, weekly=weekly)
    if not zone.has("bias"):
        (name_node or zone).fail(
            "unknown time zone (neither IANA nor Windows, no custom rules)", safe_token(zone_name)
        )
    if coverage is None:
        zone.fail(
            "a custom time zone needs window= (or view_start= and interval_minutes=) "
            "to compute working stretches",
            "customTimeZone",
        )
    custom = _custom_zone(zone)
    first = custom.local_date(coverage.start) - dt.timedelta(days=2)
    last = custom.local_date(coverage.end) + dt.timedelta(days=2)
    spans: list[tuple[dt.datetime, dt.datetime]] = []
    day = first
    while day <= last:
        if day.weekday() in days:
            midnight = dt.datetime.combine(day, dt.time())
            local_start = midnight + dt.timedelta(minutes=day_range.start_minute)
            local_end = midnight + dt.timedelta(minutes=day_range.end_minute)
            clipped = clip_window(custom.to_utc(local_start), custom.to_utc(local_end), coverage)
            if clipped is not None:
                spans.append(clipped)
        day += dt.timedelta(days=1)
    return _Hours(availability=merge_windows(spans))


# ---------------------------------------------------------------------------
# getSchedule
# ---------------------------------------------------------------------------


def _check_view_args(
    name: str, view_start: dt.datetime | None, interval_minutes: int | None
) -> None:
    if (view_start is None) != (interval_minutes is None):
        raise AdapterError(
            name,
            "view_start" if view_start is None else "interval_minutes",
            "missing",
            "view_start and interval_minutes go together (the request's startTime and "
            "availabilityViewInterval)",
        )
    if view_start is not None and (view_start.tzinfo is None or view_start.utcoffset() is None):
        raise AdapterError(name, "view_start", view_start.isoformat(), "naive datetime")
    if interval_minutes is not None and not 5 <= interval_minutes <= 1440:
        raise AdapterError(
            name, "interval_minutes", interval_minutes, "Graph intervals are 5-1440 minutes"
        )


def _view_check(
    view_node: Node,
    busy: list[Busy],
    view_start: dt.datetime,
    interval: dt.timedelta,
    coverage: Window | None,
    had_items: bool,
    repairs: list[str],
) -> list[Busy]:
    """Slots where the view is busier than the items: kept, as the view says (see module docs)."""
    view = view_node.text(allow_empty=True)
    added: list[tuple[int, int, BusyKind]] = []  # first slot, last slot, kind
    for j, digit in enumerate(view):
        if digit not in _VIEW:
            view_node.fail(f"availabilityView holds a character other than 0-4 at {j}", "character")
        severity, kind = _VIEW[digit]
        if kind is None:
            continue
        slot_start = view_start + j * interval
        slot_end = slot_start + interval
        item_severity = max(
            (_SEVERITY[b.kind] for b in busy if b.start < slot_end and b.end > slot_start),
            default=0,
        )
        if severity <= item_severity:
            continue
        if added and added[-1][1] == j - 1 and added[-1][2] == kind:
            added[-1] = (added[-1][0], j, kind)
        else:
            added.append((j, j, kind))
    out: list[Busy] = []
    for first, last, kind in added:
        start = view_start + first * interval
        end = view_start + (last + 1) * interval
        clipped = clip_window(start.astimezone(UTC), end.astimezone(UTC), coverage)
        if clipped is None:
            continue
        out.append(Busy(start=clipped[0], end=clipped[1], kind=kind))
        if had_items:
            note = (
                f"{view_node.where} slots {first}-{last} show {kind.value} where scheduleItems "
                f"do not; kept as {kind.value} from {clipped[0].isoformat()} to "
                f"{clipped[1].isoformat()}"
            )
        else:
            note = (
                f"{view_node.where} slots {first}-{last}: no scheduleItems, {kind.value} taken "
                f"from the view ({clipped[0].isoformat()} to {clipped[1].isoformat()})"
            )
        repairs.append(note)
        logger.warning("bridge_sched adapter repair: %s: %s", view_node.source, note)
    return out


def _schedule_part(
    info: Node,
    *,
    fetched_at: dt.datetime,
    name: str,
    doc_repairs: tuple[str, ...],
    window: Window | None,
    view_start: dt.datetime | None,
    interval_minutes: int | None,
) -> CalendarPart:
    repairs: list[str] = list(doc_repairs)
    account = info.key("scheduleId").text()
    view_node = info.get("availabilityView")
    coverage = window
    if coverage is None and view_start is not None and interval_minutes and view_node is not None:
        slots = len(view_node.text(allow_empty=True))
        if slots:
            coverage = Window(
                start=view_start, end=view_start + dt.timedelta(minutes=slots * interval_minutes)
            )

    busy: list[Busy] = []
    error = info.get("error")
    if error is not None:
        if coverage is None:
            error.fail("a schedule error needs window= to mark the span unknown", "error")
        code = error.get("responseCode")
        logger.info(
            "bridge_sched graph: %s: %s has an error (%s); whole window unknown",
            name,
            info.where,
            safe_token(code.text(), 60)
            if code is not None and isinstance(code.value, str)
            else "?",
        )
        busy.append(Busy(start=coverage.start, end=coverage.end, kind=BusyKind.unknown))

    items_node = info.get("scheduleItems")
    items = items_node.items() if items_node is not None else []
    for item in items:
        kind = _KIND[_status(item.key("status"))]
        start = _graph_time(item.key("start"), repairs)
        end = _graph_time(item.key("end"), repairs)
        if end < start:
            item.key("end").fail(
                "end before start", safe_token(item.key("end").key("dateTime").text())
            )
        if kind is None:
            continue
        clipped = clip_window(start, end, coverage)
        if clipped is None:
            continue  # zero-length, or outside the window
        busy.append(Busy(start=clipped[0], end=clipped[1], kind=kind))

    if view_node is not None and view_start is not None and interval_minutes is not None:
        busy.extend(
            _view_check(
                view_node,
                busy,
                view_start.astimezone(UTC),
                dt.timedelta(minutes=interval_minutes),
                coverage,
                bool(items),
                repairs,
            )
        )
    elif view_node is not None:
        logger.debug("bridge_sched graph: %s: availabilityView not checked (no view_start)", name)

    hours = _Hours()
    working = info.get("workingHours")
    if working is not None:
        hours = _working_hours(working, coverage, repairs)

    return CalendarPart(
        account=account,
        busy=sort_busy(busy),
        timezone=hours.timezone,
        working_hours=hours.weekly,
        availability=hours.availability,
        coverage=coverage,
        provenance=Provenance(
            source="graph",
            kind="calendar",
            name=name,
            fetched_at=fetched_at,
            repairs=tuple(repairs),
        ),
    )


def load_schedule(
    source: JsonSource,
    *,
    fetched_at: dt.datetime,
    name: str | None = None,
    window: Window | None = None,
    view_start: dt.datetime | None = None,
    interval_minutes: int | None = None,
) -> tuple[CalendarPart, ...]:
    """Read a ``getSchedule`` response body.

    Parameters
    ----------
    source
        Path or raw bytes of the body: ``{"value": [scheduleInformation, ...]}``
        (a bare array of scheduleInformation is accepted too).
    fetched_at
        When the body was fetched (aware).
    name
        Label for provenance and errors (default: the file name).
    window
        The requested span (UTC). Busy items are clipped to it; it becomes the
        part's ``coverage``; needed for per-schedule ``error`` entries and for
        custom-time-zone working hours. Default: the span of the
        availability view when ``view_start`` is given, else ``None``.
    view_start, interval_minutes
        The request's ``startTime`` (aware) and ``availabilityViewInterval``;
        with them the ``availabilityView`` string is cross-checked against
        the items, and used where there are no items (see the docs).

    Returns
    -------
    tuple[CalendarPart, ...]
        One part per scheduleInformation, in the order of the response;
        ``account`` is the ``scheduleId``.

    Raises
    ------
    AdapterError
        Malformed JSON, an unknown status or zone, a naive date-time without a
        ``timeZone``, an end before its start, bad working hours.
    """
    label = source_name(source, name, "graph-getSchedule.json")
    _check_view_args(label, view_start, interval_minutes)
    doc = read_json_document(source, label)
    root = doc.root
    schedules = root.items() if isinstance(root.value, list) else root.key("value").items()
    return tuple(
        _schedule_part(
            info,
            fetched_at=fetched_at,
            name=label,
            doc_repairs=doc.repairs,
            window=window,
            view_start=view_start,
            interval_minutes=interval_minutes,
        )
        for info in schedules
    )


# ---------------------------------------------------------------------------
# findMeetingTimes
# ---------------------------------------------------------------------------


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AttendeeAvailability(_Frozen):
    """One attendee's availability in one suggestion: account (the address) and status only."""

    account: str = Field(min_length=1, max_length=300)
    availability: Availability
    attendee_type: Literal["required", "optional", "resource"] | None = None


class MeetingTimeSuggestion(_Frozen):
    """One of Graph's suggestions: UTC times, Graph's rank and confidence, availabilities."""

    rank: int = Field(ge=1)
    start: UtcDatetime
    end: UtcDatetime
    confidence: float = Field(ge=0, le=100)
    organizer_availability: Availability | None = None
    attendees: tuple[AttendeeAvailability, ...] = ()


_EMPTY_REASONS = {
    r.lower(): r
    for r in (
        "attendeesUnavailable",
        "attendeesUnavailableOrUnknown",
        "locationsUnavailable",
        "organizerUnavailable",
        "unknown",
    )
}


class MeetingTimes(_Frozen):
    """Graph's ``findMeetingTimes`` answer, reduced to what a comparison needs.

    ``suggestions`` are in Graph's order (its ``order`` member when present,
    else the order of the array). ``empty_reason`` is Graph's
    ``emptySuggestionsReason`` in the API's spelling (``None`` when blank).
    """

    suggestions: tuple[MeetingTimeSuggestion, ...]
    empty_reason: str | None = None
    provenance: Provenance

    def windows(self) -> tuple[Window, ...]:
        """The suggested slots as UTC windows, chronologically (for comparison with ours)."""
        spans = sorted({(s.start, s.end) for s in self.suggestions})
        return tuple(Window(start=s, end=e) for s, e in spans)


AttendeeType = Literal["required", "optional", "resource"]
_ATTENDEE_TYPES: dict[str, AttendeeType] = {
    "required": "required",
    "optional": "optional",
    "resource": "resource",
}


def _attendee(node: Node) -> AttendeeAvailability:
    attendee = node.key("attendee")
    address = attendee.key("emailAddress").key("address").text()
    kind = attendee.get("type")
    attendee_type: AttendeeType | None = None
    if kind is not None:
        attendee_type = _ATTENDEE_TYPES.get(kind.text().strip().lower())
        if attendee_type is None:
            kind.fail("unknown attendee type", safe_token(kind.text(), 20))
    return AttendeeAvailability(
        account=address,
        availability=_status(node.key("availability")),
        attendee_type=attendee_type,
    )


def load_meeting_times(
    source: JsonSource, *, fetched_at: dt.datetime, name: str | None = None
) -> MeetingTimes:
    """Read a ``findMeetingTimes`` response body (``meetingTimeSuggestionsResult``).

    Only the slot (``meetingTimeSlot`` start/end, resolved to UTC as in
    :func:`load_schedule`), ``confidence``, ``order``, ``organizerAvailability``
    and each attendee's address and ``availability`` are read;
    ``suggestionReason``, ``locations`` and attendee display names are dropped.

    Raises
    ------
    AdapterError
        As :func:`load_schedule`; also a confidence outside 0-100 or an end
        not after its start.
    """
    label = source_name(source, name, "graph-findMeetingTimes.json")
    doc = read_json_document(source, label)
    root = doc.root
    repairs: list[str] = list(doc.repairs)
    reason_node = root.get("emptySuggestionsReason")
    empty_reason: str | None = None
    if reason_node is not None and reason_node.text(allow_empty=True).strip():
        raw = reason_node.text().strip()
        empty_reason = _EMPTY_REASONS.get(raw.lower())
        if empty_reason is None:
            reason_node.fail("unknown emptySuggestionsReason", safe_token(raw, 60))
    found: list[tuple[int, int, MeetingTimeSuggestion]] = []
    suggestions = root.get("meetingTimeSuggestions")
    for position, item in enumerate(suggestions.items() if suggestions is not None else []):
        slot = item.key("meetingTimeSlot")
        start = _graph_time(slot.key("start"), repairs)
        end = _graph_time(slot.key("end"), repairs)
        if end <= start:
            slot.key("end").fail(
                "end not after start", safe_token(slot.key("end").key("dateTime").text())
            )
        order = item.get("order")
        rank = order.integer(minimum=1) if order is not None else position + 1
        confidence = item.key("confidence")
        value = confidence.number()
        if not 0 <= value <= 100:
            confidence.fail("confidence must lie in 0-100", value)
        organizer = item.get("organizerAvailability")
        attendees = item.get("attendeeAvailability")
        found.append(
            (
                rank,
                position,
                MeetingTimeSuggestion(
                    rank=rank,
                    start=start,
                    end=end,
                    confidence=value,
                    organizer_availability=_status(organizer) if organizer is not None else None,
                    attendees=tuple(
                        _attendee(a) for a in (attendees.items() if attendees is not None else [])
                    ),
                ),
            )
        )
    found.sort(key=lambda f: (f[0], f[1]))
    return MeetingTimes(
        suggestions=tuple(s for _, _, s in found),
        empty_reason=empty_reason,
        provenance=Provenance(
            source="graph",
            kind="calendar",
            name=label,
            fetched_at=fetched_at,
            repairs=tuple(repairs),
        ),
    )


load = load_schedule
"""``load`` is :func:`load_schedule` (every adapter module has a ``load``)."""
