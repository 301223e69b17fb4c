"""iCalendar (RFC 5545) ``VEVENT`` calendars -> :class:`~bridge_sched.adapters.CalendarPart`.

The adapter reads one ``.ics`` file (one or several concatenated ``VCALENDAR``
objects), expands recurring events inside a UTC window with
``recurring-ical-events`` and returns busy intervals (start, end, kind) in UTC.
Everything else in the file (titles, locations, descriptions, attendees,
organisers, comments, ``X-`` text) is dropped here: it never reaches the part,
a log line or an error message.

Rules, policies and repairs are documented in ``docs/adapters/ics.md``. In short:

* Time zones: a ``TZID`` that is an IANA name, a Windows zone id or a
  vendor-prefixed IANA name is read with the pinned ``tzdata`` rules, even when
  the file embeds a ``VTIMEZONE`` with the same ``TZID`` (embedded definitions
  are often stale). Any other ``TZID`` uses the file's own ``VTIMEZONE``. A
  ``TZID`` that is neither is an :class:`~bridge_sched.errors.AdapterError`.
* Floating date-times and all-day (``DATE``) values are read in the caller's
  ``timezone``, else in the calendar's ``X-WR-TIMEZONE``; with neither they are
  an error. A skipped local time moves forward by the gap, a repeated one is the
  earlier instant (the library's ``compatible`` policy).
* ``STATUS:CANCELLED`` never blocks. ``X-MICROSOFT-CDO-BUSYSTATUS`` (``FREE``,
  ``TENTATIVE``, ``OOF``, ``BUSY``, ``WORKINGELSEWHERE``), when present, decides
  the kind and wins over ``TRANSP`` and ``STATUS:TENTATIVE``; otherwise
  ``TRANSP:TRANSPARENT`` does not block and ``STATUS:TENTATIVE`` is tentative.
* Zero-length instances block nothing and are dropped.
* At most :data:`MAX_INSTANCES` instances per file inside the window; a rule
  that could exceed it is refused before it is expanded.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import math
import os
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import AdapterError
from ..model import Busy, BusyKind, Window
from ._parts import CalendarPart, Provenance
from ._zones import match_zone_name

if TYPE_CHECKING:
    import icalendar

__all__ = ["MAX_COMPONENTS", "MAX_INSTANCES", "ZoneResolver", "load", "parse_calendars"]

logger = logging.getLogger("bridge_sched")

MAX_INSTANCES = 50_000
"""Most event instances one file may produce inside the window (else AdapterError)."""
MAX_COMPONENTS = 50_000
"""Events (and free/busy blocks) per file; more is refused before icalendar parses them."""

MAX_RULE_STEPS = 500_000
"""Most candidate instances the rules (``RRULE``) of one file may make the expander walk
through, from each rule's ``DTSTART`` to the end of the window (an upper bound
computed from ``FREQ``, ``INTERVAL``, the ``BY*`` lists, ``COUNT`` and ``UNTIL``,
summed over the file). About five seconds of dateutil work."""

_UTC = dt.timezone.utc

# Properties whose value the adapter reads; a broken line of one of these is an error.
_READ = frozenset(
    {
        "BEGIN",
        "END",
        "DTSTART",
        "DTEND",
        "DURATION",
        "RRULE",
        "RDATE",
        "EXDATE",
        "RECURRENCE-ID",
        "STATUS",
        "TRANSP",
        "X-MICROSOFT-CDO-BUSYSTATUS",
        "TZID",
        "TZOFFSETFROM",
        "TZOFFSETTO",
        "X-WR-TIMEZONE",
        "FREEBUSY",
    }
)
# RFC 5545 / 7986 properties that carry no time: a broken line of one is dropped (logged).
_TEXT_PROPS = frozenset(
    {
        "ACTION", "ATTACH", "ATTENDEE", "CALSCALE", "CATEGORIES", "CLASS", "COLOR",
        "COMMENT", "CONFERENCE", "CONTACT", "CREATED", "DESCRIPTION", "DTSTAMP", "GEO",
        "IMAGE", "LAST-MODIFIED", "LOCATION", "METHOD", "NAME", "ORGANIZER", "PERCENT-COMPLETE",
        "PRIORITY", "PRODID", "REFRESH-INTERVAL", "RELATED-TO", "REPEAT", "REQUEST-STATUS",
        "RESOURCES", "SEQUENCE", "SOURCE", "SUMMARY", "TRIGGER", "TZNAME", "TZURL", "UID",
        "URL", "VERSION",
    }
)  # fmt: skip
_NAME = re.compile(r"[A-Za-z0-9-]+")


# ---------------------------------------------------------------------------
# Content lines with line numbers
# ---------------------------------------------------------------------------


@dataclass
class _Line:
    """One unfolded content line: its first physical line number, name, raw params, value."""

    number: int
    name: str
    params: dict[str, str]
    value: str


@dataclass
class _Comp:
    """A component in document order with the lines of its properties."""

    name: str
    line: int
    implicit: bool = False
    props: dict[str, list[_Line]] = field(default_factory=dict)

    def first(self, prop: str) -> _Line | None:
        found = self.props.get(prop)
        return found[0] if found else None


@dataclass
class _Parsed:
    """What the line scanner found: icalendar objects, component index, repairs."""

    calendars: list[icalendar.Calendar]
    components: list[_Comp]
    repairs: list[str]


def _decode(data: bytes | str, name: str, repairs: list[str]) -> str:
    if isinstance(data, str):
        return data[1:] if data.startswith("\ufeff") else data
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        repair = "file is not UTF-8: decoded as Windows-1252"
        logger.warning("bridge_sched adapter repair: %s: %s", name, repair)
        repairs.append(repair)
        return data.decode("cp1252", errors="replace")


def _split_params(rest: str) -> tuple[dict[str, str], str] | None:
    """Parse ``;A=B;C="D":value`` -> ({A: B, C: D}, value), or None without an unquoted ':'."""
    params: dict[str, str] = {}
    i, n = 0, len(rest)
    while i < n and rest[i] == ";":
        i += 1
        match = _NAME.match(rest, i)
        if match is None:
            return None
        key = match.group(0).upper()
        i = match.end()
        if i >= n or rest[i] != "=":
            return None
        i += 1
        values: list[str] = []
        while True:
            if i < n and rest[i] == '"':
                close = rest.find('"', i + 1)
                if close < 0:
                    return None
                values.append(rest[i + 1 : close])
                i = close + 1
            else:
                j = i
                while j < n and rest[j] not in ';:,"':
                    j += 1
                values.append(rest[i:j])
                i = j
            if i < n and rest[i] == ",":
                i += 1
                continue
            break
        params[key] = ",".join(values)
    if i >= n or rest[i] != ":":
        return None
    return params, rest[i + 1 :]


def _scan(data: bytes | str, name: str) -> tuple[str, list[_Comp], list[str]]:
    """Check the structure line by line; return clean text for icalendar and the index."""
    repairs: list[str] = []
    text = _decode(data, name, repairs)
    physical = re.split(r"\r\n|\r|\n", text)
    logical: list[tuple[int, str]] = []
    blanks = 0
    for number, raw in enumerate(physical, start=1):
        if raw[:1] in (" ", "\t"):
            if not logical:
                raise AdapterError(
                    name, f"line {number}", "<continuation>", "file starts with a folded line"
                )
            first, previous = logical[-1]
            logical[-1] = (first, previous + raw[1:])
        elif raw.strip() == "":
            if raw == "" and number == len(physical):
                continue
            blanks += 1
        else:
            logical.append((number, raw))
    if blanks:
        repair = f"{blanks} blank line(s) skipped"
        logger.warning("bridge_sched adapter repair: %s: %s", name, repair)
        repairs.append(repair)

    components: list[_Comp] = []
    stack: list[_Comp] = []
    clean: list[str] = []
    calendars = 0
    for number, line in logical:
        match = _NAME.match(line)
        if match is None:
            raise AdapterError(name, f"line {number}", "<content line>", "not a content line")
        prop = match.group(0).upper()
        split = _split_params(line[match.end() :])
        if split is None:
            if prop in _READ:
                raise AdapterError(
                    name, f"line {number}", prop, "malformed content line (no ':' after the name)"
                )
            if not stack or (prop not in _TEXT_PROPS and not prop.startswith("X-")):
                raise AdapterError(
                    name, f"line {number}", "<content line>", "not a content line (no ':')"
                )
            label = prop if prop in _TEXT_PROPS else "X-"
            repair = f"line {number}: malformed {label} line dropped (not a time property)"
            logger.warning("bridge_sched adapter repair: %s: %s", name, repair)
            repairs.append(repair)
            continue
        params, value = split
        if prop in ("RRULE", "EXRULE") and re.search(r"\s", value):
            line = line[: len(line) - len(value)] + re.sub(r"\s+", "", value)
            value = re.sub(r"\s+", "", value)
            repair = f"line {number}: white space removed from {prop}"
            logger.warning("bridge_sched adapter repair: %s: %s", name, repair)
            repairs.append(repair)
        if prop == "BEGIN":
            comp = value.strip().upper()
            if not _NAME.fullmatch(comp):
                raise AdapterError(name, f"line {number}", "BEGIN", "bad component name")
            if not stack and comp != "VCALENDAR":
                if not calendars:
                    raise AdapterError(
                        name,
                        f"line {number}",
                        comp,
                        "content outside BEGIN:VCALENDAR/END:VCALENDAR",
                    )
                # After a complete VCALENDAR (concatenated files): wrap the stray
                # component in a VCALENDAR of its own.
                wrapper = _Comp("VCALENDAR", number, implicit=True)
                components.append(wrapper)
                stack.append(wrapper)
                clean.append("BEGIN:VCALENDAR")
                repair = f"line {number}: {comp} outside any VCALENDAR read as its own VCALENDAR"
                logger.warning("bridge_sched adapter repair: %s: %s", name, repair)
                repairs.append(repair)
            node = _Comp(comp, number)
            components.append(node)
            stack.append(node)
            calendars += comp == "VCALENDAR" and len(stack) == 1
        elif prop == "END":
            comp = value.strip().upper()
            if not stack or stack[-1].name != comp:
                expected = stack[-1].name if stack else "nothing"
                raise AdapterError(
                    name,
                    f"line {number}",
                    comp if _NAME.fullmatch(comp) else "END",
                    f"END does not match the open component ({expected})",
                )
            stack.pop()
            if len(stack) == 1 and stack[0].implicit:
                stack.pop()
                clean.extend((line, "END:VCALENDAR"))
                continue
        elif not stack:
            raise AdapterError(
                name, f"line {number}", prop, "content outside BEGIN:VCALENDAR/END:VCALENDAR"
            )
        else:
            stack[-1].props.setdefault(prop, []).append(_Line(number, prop, params, value))
        clean.append(line)
    if stack:
        last = logical[-1][0] if logical else 1
        raise AdapterError(
            name,
            f"line {last}",
            f"END:{stack[-1].name}",
            f"file ends inside {stack[-1].name} opened at line {stack[-1].line} (truncated)",
        )
    if not calendars:
        raise AdapterError(name, "line 1", "BEGIN:VCALENDAR", "no VCALENDAR in the file")
    return "\r\n".join(clean) + "\r\n", components, repairs


def _parse(data: bytes | str, name: str) -> _Parsed:
    import icalendar

    text, components, repairs = _scan(data, name)
    count = sum(1 for c in components if c.name in ("VEVENT", "VFREEBUSY", "VAVAILABILITY"))
    if count > MAX_COMPONENTS:
        raise AdapterError(
            name,
            "file",
            count,
            f"more than {MAX_COMPONENTS} events in one file: export the request window only",
        )
    try:
        with warnings.catch_warnings():
            # icalendar warns when it guesses a vendor-prefixed TZID; this adapter
            # resolves every TZID itself (ZoneResolver), so the guess is unused.
            warnings.simplefilter("ignore")
            calendars = list(icalendar.Calendar.from_ical(text, multiple=True))
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise AdapterError(
            name, "file", type(exc).__name__, "icalendar could not parse the file"
        ) from None
    return _Parsed(calendars, components, repairs)


def parse_calendars(data: bytes | str, name: str) -> list[icalendar.Calendar]:
    """Parse an iCalendar file robustly into its ``VCALENDAR`` objects.

    Handles a UTF-8 byte-order mark, CRLF / LF / CR-only line endings, folded
    lines (space or tab), several concatenated ``VCALENDAR`` objects and blank
    lines (skipped, logged). A malformed line of a property that carries no
    time (``ORGANIZER;CN=x`` without ``:``) is dropped with a logged repair.

    Parameters
    ----------
    data
        The file contents.
    name
        The file name (no directory), used in error messages.

    Returns
    -------
    list of icalendar.Calendar
        One per ``VCALENDAR`` in document order.

    Raises
    ------
    AdapterError
        On a file that cannot be read without guessing: no ``BEGIN:VCALENDAR``,
        truncated (a component never ends), mismatched ``END``, a line that is
        not a content line, a broken time property. The message names the file
        and the line.
    """
    return _parse(data, name).calendars


# ---------------------------------------------------------------------------
# Zones
# ---------------------------------------------------------------------------


def _clean_tzid(tzid: str) -> str:
    return tzid.strip().strip('"').strip().rstrip(":").strip()


class ZoneResolver:
    """Resolve ``TZID`` parameters of one file to ``tzinfo`` objects.

    Order: an IANA name, Windows zone id or vendor-prefixed IANA name (through
    :func:`~bridge_sched.adapters._zones.match_zone_name`, pinned ``tzdata``) wins
    over an embedded ``VTIMEZONE`` with the same ``TZID``; any other ``TZID``
    uses the file's own ``VTIMEZONE``; otherwise :class:`AdapterError`.

    Parameters
    ----------
    calendars
        The file's calendars (from :func:`parse_calendars`).
    name
        The file name, for messages.
    default_zone
        IANA zone for floating date-times and all-day dates (the caller's zone
        or ``X-WR-TIMEZONE``); ``None`` makes them an error.

    Attributes
    ----------
    repairs
        Documented repairs applied while resolving (for ``Provenance.repairs``).
    """

    def __init__(
        self, calendars: list[icalendar.Calendar], name: str, default_zone: str | None
    ) -> None:
        self.name = name
        self.repairs: list[str] = []
        self._definitions: dict[str, Any] = {}
        for calendar in calendars:
            for vtimezone in calendar.walk("VTIMEZONE"):
                tzid = str(vtimezone.get("TZID", ""))
                if tzid and tzid not in self._definitions:
                    self._definitions[tzid] = vtimezone
        self._cache: dict[str, dt.tzinfo] = {}
        self.default: dt.tzinfo | None = None
        self.default_name: str | None = None
        if default_zone is not None:
            self.default = self.zone(default_zone, "timezone")
            self.default_name = default_zone

    def _repair(self, text: str) -> None:
        if text not in self.repairs:
            self.repairs.append(text)

    def _custom(self, key: str, vtimezone: Any, where: str) -> dt.tzinfo:
        try:
            tz = vtimezone.to_tz(lookup_tzid=False)
            dt.datetime(2000, 1, 1, tzinfo=tz).utcoffset()
        except Exception:  # icalendar/dateutil raise many types on a broken VTIMEZONE
            raise AdapterError(
                self.name, where, key, "the VTIMEZONE of this TZID cannot be read"
            ) from None
        return tz  # type: ignore[no-any-return]

    def zone(self, tzid: str, where: str) -> dt.tzinfo:
        """The ``tzinfo`` for ``tzid``; ``where`` (line/property) goes into errors."""
        cached = self._cache.get(tzid)
        if cached is not None:
            return cached
        from .._tz import load_zone

        tz: dt.tzinfo
        match = match_zone_name(tzid)
        if match is not None:
            if match.repair is not None:
                self._repair(match.repair)
            tz = load_zone(match.iana)
        elif tzid in self._definitions:
            tz = self._custom(tzid, self._definitions[tzid], where)
        else:
            cleaned = _clean_tzid(tzid)
            found = [key for key in self._definitions if _clean_tzid(key) == cleaned]
            if not cleaned or not found:
                raise AdapterError(
                    self.name,
                    where,
                    tzid,
                    "unknown TZID: not an IANA or Windows zone name and no VTIMEZONE defines it",
                )
            key = sorted(found)[0]
            repair = f"TZID {tzid!r} matched to the VTIMEZONE {key!r} (stray quotes, spaces or ':')"
            logger.warning("bridge_sched adapter repair: %s: %s", self.name, repair)
            self._repair(repair)
            tz = self._custom(key, self._definitions[key], where)
        self._cache[tzid] = tz
        return tz

    def floating(self, where: str) -> dt.tzinfo:
        """The zone for floating date-times and dates, or AdapterError if there is none."""
        if self.default is None:
            raise AdapterError(
                self.name,
                where,
                "floating",
                "floating or all-day time but no zone: pass timezone= or add X-WR-TIMEZONE",
            )
        return self.default

    def localize(self, value: dt.datetime, tzid: str | None, where: str) -> dt.datetime:
        """Attach the right zone to a date-time as written in the file (wall clock kept)."""
        if tzid is not None:
            return value.replace(tzinfo=self.zone(tzid, where), fold=0)
        if value.tzinfo is not None:
            return value  # UTC ("Z")
        return value.replace(tzinfo=self.floating(where), fold=0)

    def to_utc(self, value: dt.datetime | dt.date, tzid: str | None, where: str) -> dt.datetime:
        """An instant in UTC for a DATE / DATE-TIME value as written with its ``TZID``.

        A ``DATE`` is local midnight in the default zone; a floating date-time
        is read in the default zone; a ``Z`` value is UTC.
        """
        if not isinstance(value, dt.datetime):
            value = dt.datetime.combine(value, dt.time(0), tzinfo=self.floating(where))
            return value.astimezone(_UTC)
        return self.localize(value, tzid, where).astimezone(_UTC)


# ---------------------------------------------------------------------------
# Event rules
# ---------------------------------------------------------------------------

_CDO = {
    "FREE": None,
    "TENTATIVE": BusyKind.tentative,
    "OOF": BusyKind.out_of_office,
    "BUSY": BusyKind.busy,
    "WORKINGELSEWHERE": BusyKind.busy,
}


def _kind(component: Any) -> BusyKind | None:
    """The busy kind of one event instance, or ``None`` if it blocks nothing."""
    status = str(component.get("STATUS", "")).strip().upper()
    if status == "CANCELLED":
        return None
    cdo = str(component.get("X-MICROSOFT-CDO-BUSYSTATUS", "")).strip().upper()
    if cdo in _CDO:
        return _CDO[cdo]
    if str(component.get("TRANSP", "")).strip().upper() == "TRANSPARENT":
        return None
    if status == "TENTATIVE":
        return BusyKind.tentative
    return BusyKind.busy


_FREQ_SECONDS = {
    "SECONDLY": 1,
    "MINUTELY": 60,
    "HOURLY": 3600,
    "DAILY": 86400,
    "WEEKLY": 7 * 86400,
    "MONTHLY": 31 * 86400,
    "YEARLY": 366 * 86400,
}
_FREQ_RANK = {name: rank for rank, name in enumerate(_FREQ_SECONDS)}


def _rule_bound(rule: Any, span_seconds: float) -> float:
    """Upper bound of instances a rule yields over ``span_seconds`` (without expanding it)."""
    freq = str((rule.get("FREQ") or ["?"])[0]).upper()
    if freq not in _FREQ_SECONDS:
        return 0.0  # recurring-ical-events rejects it; not a runaway
    try:
        interval = max(1, int((rule.get("INTERVAL") or [1])[0]))
    except (TypeError, ValueError):
        interval = 1
    rank = _FREQ_RANK[freq]
    per_period = 1.0
    if rank >= _FREQ_RANK["DAILY"]:
        per_period *= _FREQ_SECONDS[freq] // 86400
    if rank >= _FREQ_RANK["DAILY"] and rule.get("BYHOUR"):
        per_period *= len(rule["BYHOUR"])
    if rank >= _FREQ_RANK["HOURLY"] and rule.get("BYMINUTE"):
        per_period *= len(rule["BYMINUTE"])
    if rank >= _FREQ_RANK["MINUTELY"] and rule.get("BYSECOND"):
        per_period *= len(rule["BYSECOND"])
    if rule.get("BYSETPOS"):
        per_period = min(per_period, len(rule["BYSETPOS"]))
    periods = math.ceil(span_seconds / (_FREQ_SECONDS[freq] * interval)) + 1
    bound = periods * per_period
    count = rule.get("COUNT")
    if count:
        with contextlib.suppress(TypeError, ValueError):
            bound = min(bound, float(int(count[0])))
    return float(bound)


# ---------------------------------------------------------------------------
# load
# ---------------------------------------------------------------------------

_DATE_PROPS = ("DTSTART", "DTEND", "RECURRENCE-ID")
_LIST_PROPS = ("EXDATE", "RDATE")


def _where(comp: _Comp | None, prop: str, index: int = 0) -> str:
    if comp is None:
        return prop
    lines = comp.props.get(prop)
    if lines:
        return f"line {lines[min(index, len(lines) - 1)].number} ({prop})"
    return f"line {comp.line} (VEVENT)"


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _note(name: str, repairs: list[str], text: str) -> None:
    logger.warning("bridge_sched adapter repair: %s: %s", name, text)
    if text not in repairs:
        repairs.append(text)


@dataclass
class _Instance:
    """One expanded event instance: UTC start and end, kind (``None``: blocks nothing)."""

    start: dt.datetime
    end: dt.datetime
    kind: BusyKind | None


class _Expander:
    """Expansion of one parsed file inside a window."""

    def __init__(
        self, parsed: _Parsed, name: str, zones: ZoneResolver, keep_free: bool = False
    ) -> None:
        self.keep_free = keep_free
        self.steps = 0.0
        self.parsed = parsed
        self.name = name
        self.zones = zones
        self.repairs: list[str] = []

    # -- zones ------------------------------------------------------------
    def _rezone_value(
        self, value: Any, tzid: str | None, series_tzid: str | None, where: str, busy: bool
    ) -> Any:
        if isinstance(value, tuple):
            start, end = value
            start = self._rezone_value(start, tzid, series_tzid, where, busy)
            if isinstance(end, dt.datetime):
                end = self._rezone_value(end, tzid, series_tzid, where, busy)
            return (start, end)
        if not isinstance(value, dt.datetime):
            return value
        if tzid is None and value.tzinfo is None and self.zones.default is None and not busy:
            return value  # floating, blocks nothing: left as is, never converted
        if tzid is None and value.tzinfo is None and series_tzid is not None:
            _note(
                self.name,
                self.repairs,
                f"{where}: floating date-time in a series with TZID {series_tzid!r} "
                "read in that zone",
            )
            tzid = series_tzid
        return self.zones.localize(value, tzid, where)

    def rezone(self, event: Any, comp: _Comp | None) -> None:
        """Replace every date-time of ``event`` by one in the zone this adapter resolved."""
        start = event.get("DTSTART")
        series_tzid = None
        if start is not None and hasattr(start, "params"):
            series_tzid = start.params.get("TZID")
        busy = _kind(event) is not None
        if (
            busy
            and start is not None
            and not isinstance(getattr(start, "dt", None), dt.datetime)
            and self.zones.default is None
        ):
            self.zones.floating(_where(comp, "DTSTART"))  # all-day: raises without a zone
        for prop in _DATE_PROPS:
            item = event.get(prop)
            if item is None:
                continue
            where = _where(comp, prop)
            if not hasattr(item, "dt") or not isinstance(item.dt, dt.date):
                raise AdapterError(self.name, where, prop, "value is not a date or date-time")
            tzid = item.params.get("TZID")
            fallback = None if prop == "DTSTART" else series_tzid
            item.dt = self._rezone_value(item.dt, tzid, fallback, where, busy)
        self._mixed(event, comp, busy)
        for prop in _LIST_PROPS:
            for index, item in enumerate(_as_list(event.get(prop, []))):
                where = _where(comp, prop, index)
                if not hasattr(item, "dts"):
                    raise AdapterError(self.name, where, prop, "value is not a list of dates")
                tzid = item.params.get("TZID")
                for entry in item.dts:
                    entry.dt = self._rezone_value(entry.dt, tzid, series_tzid, where, busy)

    def _mixed(self, event: Any, comp: _Comp | None, busy: bool) -> None:
        """A DATE start with a DATE-TIME end (or the reverse): make both date-times.

        recurring-ical-events would otherwise read the DATE as midnight in the
        zone of the other value (UTC for ``...Z``), a silent shift.
        """
        start, end = event.get("DTSTART"), event.get("DTEND")
        if start is None or end is None:
            return
        s_value, e_value = start.dt, end.dt
        s_is_dt, e_is_dt = isinstance(s_value, dt.datetime), isinstance(e_value, dt.datetime)
        if s_is_dt == e_is_dt:
            return
        if not s_is_dt:
            if self.zones.default is None:
                if busy:
                    self.zones.floating(_where(comp, "DTSTART"))
                return
            start.dt = dt.datetime.combine(s_value, dt.time(0), tzinfo=self.zones.default)
            _note(
                self.name,
                self.repairs,
                f"{_where(comp, 'DTSTART')}: DATE start with a DATE-TIME end: start read as "
                f"local midnight in {self.zones.default_name}",
            )
        else:
            zone = s_value.tzinfo
            if zone is None:
                return
            end.dt = dt.datetime.combine(e_value, dt.time(0), tzinfo=zone)
            _note(
                self.name,
                self.repairs,
                f"{_where(comp, 'DTEND')}: DATE end with a DATE-TIME start: end read as "
                "local midnight in the start's zone",
            )

    # -- runaway rules ----------------------------------------------------
    def check_rules(self, event: Any, comp: _Comp | None, window: Window) -> None:
        """Refuse a rule that could yield too many instances, before expanding it."""
        start = event.get("DTSTART")
        first = start.dt if start is not None else None
        if isinstance(first, dt.datetime):
            first_utc = first.astimezone(_UTC)
        elif isinstance(first, dt.date):
            first_utc = dt.datetime.combine(first, dt.time(0), tzinfo=_UTC)
        else:
            first_utc = window.start
        for index, rule in enumerate(_as_list(event.get("RRULE", []))):
            where = _where(comp, "RRULE", index)
            if not hasattr(rule, "get"):
                raise AdapterError(self.name, where, "RRULE", "malformed RRULE")
            try:
                until = rule.get("UNTIL")
            except Exception:  # icalendar raises on a property it could not parse
                raise AdapterError(self.name, where, "RRULE", "malformed RRULE") from None
            stop = window.end + dt.timedelta(days=2)
            if until:
                limit = until[0]
                if isinstance(limit, dt.datetime):
                    limit_utc = (
                        limit.astimezone(_UTC) if limit.tzinfo else limit.replace(tzinfo=_UTC)
                    )
                else:
                    limit_utc = dt.datetime.combine(limit, dt.time(0), tzinfo=_UTC)
                stop = min(stop, limit_utc + dt.timedelta(days=2))
            lo = max(first_utc, window.start - dt.timedelta(days=2))
            in_window = _rule_bound(rule, max(0.0, (stop - lo).total_seconds()))
            self.steps += _rule_bound(rule, max(0.0, (stop - first_utc).total_seconds()))
            if self.steps > MAX_RULE_STEPS or in_window > MAX_INSTANCES:
                raise AdapterError(
                    self.name,
                    where,
                    "RRULE",
                    f"rule could yield more than {MAX_INSTANCES} instances in the window "
                    f"or make the expander walk more than {MAX_RULE_STEPS} candidates in this "
                    "file (refused unexpanded)",
                )

    # -- orphan overrides ---------------------------------------------------
    def orphans(self, events: list[Any], comps: list[_Comp | None]) -> None:
        """Read an override that carries RRULE/RDATE but has no master as a series of its own."""
        masters = {str(e.get("UID", "")) for e in events if e.get("RECURRENCE-ID") is None}
        for event, comp in zip(events, comps, strict=True):
            if (
                event.get("RECURRENCE-ID") is not None
                and str(event.get("UID", "")) not in masters
                and (event.get("RDATE") is not None or event.get("RRULE") is not None)
            ):
                where = _where(comp, "RECURRENCE-ID")
                _note(
                    self.name,
                    self.repairs,
                    f"{where}: override without its master series read as a series "
                    "of its own (its RRULE/RDATE kept)",
                )
                del event["RECURRENCE-ID"]

    # -- expansion ----------------------------------------------------------
    def instances(self, window: Window) -> Iterator[_Instance]:
        """Every instance overlapping ``window`` (zero-length ones at its edges included)."""
        import recurring_ical_events

        event_comps = [c for c in self.parsed.components if c.name == "VEVENT"]
        offset = 0
        # Pad the expansion span: DATE series compare in local dates; the final
        # filter below is exact.
        span_start = window.start - dt.timedelta(days=2)
        span_end = window.end + dt.timedelta(days=2)
        count = 0
        for calendar in self.parsed.calendars:
            events = list(calendar.walk("VEVENT"))
            comps: list[_Comp | None] = [
                event_comps[offset + i] if offset + i < len(event_comps) else None
                for i in range(len(events))
            ]
            offset += len(events)
            for event, comp in zip(events, comps, strict=True):
                if event.get("DTSTART") is None:
                    raise AdapterError(
                        self.name, _where(comp, "DTSTART"), "DTSTART", "VEVENT without DTSTART"
                    )
                self.rezone(event, comp)
                self.check_rules(event, comp, window)
            self.orphans(events, comps)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    query = recurring_ical_events.of(calendar, components=["VEVENT"])
                    found = [
                        occurrence.as_component(False)
                        for series in query.series
                        for occurrence in series.between(span_start, span_end)
                    ]
            except AdapterError:
                raise
            except Exception as exc:  # recurring-ical-events / dateutil
                raise AdapterError(
                    self.name, "file", type(exc).__name__, "recurring events could not be expanded"
                ) from None
            for instance in found:
                count += 1
                if count > MAX_INSTANCES:
                    raise AdapterError(
                        self.name,
                        "file",
                        str(MAX_INSTANCES),
                        f"more than {MAX_INSTANCES} event instances in the window",
                    )
                kind = _kind(instance)
                if kind is None and not self.keep_free:
                    continue
                item = self._instance(instance, kind)
                if item.end < window.start or item.start >= window.end:
                    continue
                if item.end == window.start and item.end > item.start:
                    continue
                yield item

    def _instance(self, instance: Any, kind: BusyKind | None) -> _Instance:
        start_value = instance["DTSTART"].dt
        end_item = instance.get("DTEND")
        if end_item is not None:
            end_value = end_item.dt
        elif instance.get("DURATION") is not None:
            end_value = start_value + instance["DURATION"].dt
        elif isinstance(start_value, dt.datetime):
            end_value = start_value
        else:
            end_value = start_value + dt.timedelta(days=1)
        start = self.zones.to_utc(start_value, None, "DTSTART")
        end = self.zones.to_utc(end_value, None, "DTEND")
        return _Instance(start, end, kind)


def _read_source(source: str | os.PathLike[str] | bytes, name: str | None) -> tuple[bytes, str]:
    if isinstance(source, bytes):
        return source, name or "<bytes>"
    path = Path(source)
    label = name or path.name
    try:
        return path.read_bytes(), label
    except OSError as exc:
        raise AdapterError(
            label, "file", path.name, f"cannot read the file ({exc.strerror})"
        ) from None


def _calendar_zone(parsed: _Parsed, name: str, repairs: list[str]) -> str | None:
    """The resolved ``X-WR-TIMEZONE`` of the file, if any."""
    zone: str | None = None
    for comp in parsed.components:
        line = comp.first("X-WR-TIMEZONE") if comp.name == "VCALENDAR" else None
        if line is None:
            continue
        match = match_zone_name(line.value)
        if match is None:
            _note(
                name,
                repairs,
                f"line {line.number}: X-WR-TIMEZONE is not a known zone name; ignored",
            )
            continue
        if match.repair is not None and match.repair not in repairs:
            repairs.append(match.repair)
        if zone is not None and zone != match.iana:
            raise AdapterError(
                name,
                f"line {line.number}",
                match.iana,
                f"X-WR-TIMEZONE differs from an earlier one ({zone})",
            )
        zone = match.iana
    return zone


_TIME_PROPS = ("DTSTART", "DTEND", "DUE", "RECURRENCE-ID")
_LIST_PROPS = ("EXDATE", "RDATE")


def _check_values(parsed: _Parsed, name: str) -> None:
    """Refuse malformed time, duration and rule values of events, naming the line.

    icalendar parses such values lazily and raises deep inside expansion;
    checking them here gives ``file:line N (PROP)`` and never echoes the value.
    """
    from icalendar.prop import vDDDTypes, vRecur

    def bad(line: _Line, prop: str, reason: str) -> AdapterError:
        return AdapterError(name, f"line {line.number} ({prop})", prop, reason)

    for comp in parsed.components:
        if comp.name != "VEVENT":
            continue
        values: dict[str, Any] = {}
        for prop in (*_TIME_PROPS, *_LIST_PROPS, "DURATION", "RRULE"):
            for line in comp.props.get(prop, ()):
                try:
                    if prop == "RRULE":
                        rule = vRecur.from_ical(line.value)
                        interval = rule.get("INTERVAL", [1])
                        if any(int(i) < 1 for i in interval):
                            raise bad(line, prop, "INTERVAL must be at least 1")
                    elif prop in _LIST_PROPS:
                        for item in line.value.split(","):
                            vDDDTypes.from_ical(item.strip())  # type: ignore[no-untyped-call]
                    else:
                        values[prop] = vDDDTypes.from_ical(line.value)  # type: ignore[no-untyped-call]
                except AdapterError:
                    raise
                except (ValueError, TypeError, OverflowError):
                    raise bad(line, prop, f"malformed {prop} value") from None
        duration = values.get("DURATION")
        duration_line = comp.first("DURATION")
        if duration_line is not None and isinstance(duration, dt.timedelta):
            if duration < dt.timedelta(0):
                raise bad(duration_line, "DURATION", "negative DURATION")
            if "DTEND" in values:
                raise bad(duration_line, "DURATION", "an event has DTEND or DURATION, not both")
        start, end = values.get("DTSTART"), values.get("DTEND")
        start_line, end_line = comp.first("DTSTART"), comp.first("DTEND")
        same_zone = (
            start_line is not None
            and end_line is not None
            and start_line.params.get("TZID") == end_line.params.get("TZID")
        )
        if same_zone and type(start) is type(end) and end is not None and start is not None:
            try:
                backwards = end < start
            except TypeError:  # one floating, one UTC: the resolver decides
                backwards = False
            if backwards:
                assert end_line is not None
                raise bad(end_line, "DTEND", "DTEND is before DTSTART")


def _prepare(
    source: str | os.PathLike[str] | bytes, timezone: str | None, name: str | None
) -> tuple[_Expander, str, str | None, list[str]]:
    data, label = _read_source(source, name)
    parsed = _parse(data, label)
    _check_values(parsed, label)
    repairs = list(parsed.repairs)
    wr_zone = _calendar_zone(parsed, label, repairs)
    if timezone is not None:
        match = match_zone_name(timezone)
        if match is None or match.iana != timezone:
            raise AdapterError(label, "timezone", timezone, "not an IANA zone name")
    floating = timezone if timezone is not None else wr_zone
    zones = ZoneResolver(parsed.calendars, label, floating)
    return _Expander(parsed, label, zones), label, wr_zone, repairs


def load(
    source: str | os.PathLike[str] | bytes,
    *,
    window: Window,
    fetched_at: dt.datetime,
    account: str | None = None,
    timezone: str | None = None,
    name: str | None = None,
) -> CalendarPart:
    """Busy intervals of one iCalendar file inside ``window`` (UTC).

    Parameters
    ----------
    source
        A path to the ``.ics`` file, or its bytes.
    window
        The UTC span to expand; instances overlapping it are returned with
        their real start and end (not clipped).
    fetched_at
        When the file was fetched (aware).
    account
        The calendar's account label; defaults to the file name.
    timezone
        The caller's IANA zone for floating date-times and all-day dates; when
        ``None`` the calendar's ``X-WR-TIMEZONE`` is used, else such values are
        an error.
    name
        Label for messages and provenance; defaults to the file name (no
        directory) or ``"<bytes>"``.

    Returns
    -------
    CalendarPart
        Busy intervals sorted by (start, end, kind), ``coverage`` = ``window``,
        ``timezone`` = ``X-WR-TIMEZONE`` (resolved) or ``timezone``.

    Raises
    ------
    AdapterError
        When the file cannot be read without guessing (see
        ``docs/adapters/ics.md``); the message names the file and the line or
        property, never calendar text.
    """
    expander, label, wr_zone, repairs = _prepare(source, timezone, name)
    busy = [
        Busy(start=item.start, end=item.end, kind=item.kind)
        for item in expander.instances(window)
        if item.kind is not None and item.end > item.start
    ]
    coverage: Window | None = window
    availability: tuple[Window, ...] | None = None
    names = {c.name for c in expander.parsed.components}
    if names & {"VFREEBUSY", "VAVAILABILITY"}:
        # free/busy and availability in the same file belong to the same calendar
        from .freebusy import parts_from_calendars

        extra = parts_from_calendars(
            expander.parsed.calendars,
            expander.zones,
            window=window,
            fetched_at=fetched_at,
            account=account or label,
            name=label,
            attendee_accounts=False,
        )
        for part in extra:
            busy.extend(part.busy)
            if part.availability is not None:
                availability = (*(availability or ()), *part.availability)
            repairs.extend(r for r in part.provenance.repairs if r not in repairs)
        if "VEVENT" not in names:  # only free/busy: it speaks for its own span
            coverage = extra[0].coverage if extra else None
    for repair in [*expander.repairs, *expander.zones.repairs]:
        if repair not in repairs:
            repairs.append(repair)
    busy.sort(key=lambda b: (b.start, b.end, b.kind.value))
    return CalendarPart(
        account=account or label,
        busy=tuple(busy),
        timezone=wr_zone if wr_zone is not None else timezone,
        availability=availability,
        coverage=coverage,
        provenance=Provenance(
            source="ics",
            kind="calendar",
            name=label,
            fetched_at=fetched_at,
            repairs=tuple(repairs),
        ),
    )


def _all_instances(
    source: str | os.PathLike[str] | bytes,
    *,
    window: Window,
    timezone: str | None = None,
    name: str | None = None,
) -> list[tuple[dt.datetime, dt.datetime, BusyKind | None]]:
    """Every instance in ``window``, including those that block nothing (for tests and docs)."""
    expander = _prepare(source, timezone, name)[0]
    expander.keep_free = True
    found = [(i.start, i.end, i.kind) for i in expander.instances(window)]
    return sorted(found, key=lambda t: (t[0], t[1], t[2].value if t[2] else ""))
