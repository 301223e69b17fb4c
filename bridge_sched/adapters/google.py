"""Google Calendar API: ``freebusy.query`` response bodies.

A response (``kind: "calendar#freeBusy"``) states the queried span
(``timeMin``/``timeMax``) and, per calendar id, a ``busy`` list of RFC 3339
``{start, end}`` periods (start inclusive, end exclusive) and optional
``errors`` (``{"domain": "global", "reason": "notFound"}``, ``internalError``,
``groupTooBig``, ...). Rules (``docs/adapters/json-sources.md``):

* ``timeMin``/``timeMax`` -> the part's ``coverage``; busy periods are
  clipped to it. Every period must carry a UTC offset (``Z`` or ``+hh:mm``);
  a naive date-time is an :class:`~bridge_sched.errors.AdapterError`.
* Google reports no status, so every period is ``busy``.
* A calendar with ``errors`` could not be read: the whole coverage becomes one
  ``unknown`` interval (busy periods listed next to errors are kept too).
  Error *reasons* are logged at INFO; calendar ids never are.
* ``groups`` (the expansion of group addresses into calendar ids) is ignored:
  every expanded calendar is also listed under ``calendars``.
* Calendars are addressed by position in errors (``calendars[#2].busy[0].start``)
  so that no calendar id (often an e-mail address) appears in a message.
"""

from __future__ import annotations

import datetime as dt
import logging

from ..model import Busy, BusyKind, Window
from ._json import JsonSource, clip_window, read_json_document, safe_token, sort_busy, source_name
from ._parts import CalendarPart, Provenance

__all__ = ["load"]

logger = logging.getLogger("bridge_sched")


def load(
    source: JsonSource, *, fetched_at: dt.datetime, name: str | None = None
) -> tuple[CalendarPart, ...]:
    """Read a ``freebusy.query`` response body.

    Parameters
    ----------
    source
        Path or raw bytes of the response body.
    fetched_at
        When it was fetched (aware).
    name
        Label for provenance and errors (default: the file name).

    Returns
    -------
    tuple[CalendarPart, ...]
        One part per calendar id (``account``), sorted by account; each with
        ``coverage`` = ``[timeMin, timeMax)``.

    Raises
    ------
    AdapterError
        Malformed JSON, a missing or naive ``timeMin``/``timeMax``/period, a
        period whose end is before its start.
    """
    label = source_name(source, name, "google-freebusy.json")
    doc = read_json_document(source, label)
    root = doc.root
    kind = root.get("kind")
    if kind is not None and kind.text() != "calendar#freeBusy":
        kind.fail("not a freebusy response", safe_token(kind.text(), 40))
    start_node, end_node = root.key("timeMin"), root.key("timeMax")
    time_min, time_max = start_node.instant(), end_node.instant()
    if time_max <= time_min:
        end_node.fail("timeMax is not after timeMin", safe_token(end_node.text()))
    coverage = Window(start=time_min, end=time_max)
    provenance = Provenance(
        source="google", kind="calendar", name=label, fetched_at=fetched_at, repairs=doc.repairs
    )
    parts: list[CalendarPart] = []
    for account, calendar in root.key("calendars").entries():
        if not account.strip():
            calendar.fail("empty calendar id", "calendar id")
        busy: list[Busy] = []
        periods = calendar.get("busy")
        for period in periods.items() if periods is not None else []:
            start = period.key("start").instant()
            end = period.key("end").instant()
            if end < start:
                period.key("end").fail("end before start", safe_token(period.key("end").text()))
            clipped = clip_window(start, end, coverage)
            if clipped is not None:
                busy.append(Busy(start=clipped[0], end=clipped[1], kind=BusyKind.busy))
        errors = calendar.get("errors")
        if errors is not None and errors.items():
            reasons: set[str] = set()
            for error in errors.items():
                reason = error.get("reason")
                reasons.add(safe_token(reason.text(), 40) if reason is not None else "?")
            logger.info(
                "bridge_sched google: %s: %s has errors (%s); whole coverage unknown",
                label,
                calendar.where,
                ", ".join(sorted(reasons)),
            )
            busy.append(Busy(start=coverage.start, end=coverage.end, kind=BusyKind.unknown))
        parts.append(
            CalendarPart(
                account=account,
                busy=sort_busy(busy),
                coverage=coverage,
                provenance=provenance,
            )
        )
    parts.sort(key=lambda p: p.account)
    return tuple(parts)
