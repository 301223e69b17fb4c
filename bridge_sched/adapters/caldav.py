"""CalDAV free/busy replies -> :class:`~bridge_sched.adapters.CalendarPart`.

Two kinds of reply are read (``docs/adapters/freebusy-caldav.md``):

* an RFC 6638 scheduling reply, ``C:schedule-response`` XML (a POST of a
  ``VFREEBUSY`` request to a scheduling outbox): one part per ``C:response``,
  whose ``account`` is the ``C:recipient`` ``DAV:href`` (``mailto:`` scheme in
  lower case). A ``C:request-status`` other than ``2.0`` makes the whole window
  ``unknown`` for that recipient (the server could not tell); a ``2.0`` reply is
  read with :mod:`bridge_sched.adapters.freebusy` from its ``C:calendar-data``;
* an RFC 4791 ``free-busy-query`` REPORT reply: the ``text/calendar`` body,
  either alone or as a raw HTTP response (status line and headers first). Its
  ``VFREEBUSY`` names no one: the account is the caller's ``account`` or the
  file name.

What is the document:

* with HTTP headers, the body is the first ``Content-Length`` bytes (a shorter
  body is truncated: :class:`~bridge_sched.errors.AdapterError`); bytes after it
  are not part of the reply and are ignored (a logged repair);
* an XML document ends with the end tag of its root element; text after it is
  ignored (a logged repair);
* an iCalendar body ends with its last ``END:VCALENDAR`` line; text after it is
  ignored (a logged repair) unless it holds a ``BEGIN:`` line (then it is read,
  and a truncated calendar is an error).

The DAViCal test harness writes the placeholder ``yyyymmddThhmmssZ`` for
``DTSTAMP``; a ``DTSTAMP`` with exactly that value is dropped (logged repair:
``DTSTAMP`` is when the reply was made, never a busy time). The same
placeholder in any other property is an error. XML is parsed with the standard
library; a document with a ``DOCTYPE`` (and so any entity declaration) is
refused before parsing.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from ..errors import AdapterError
from ..model import Busy, BusyKind, Window
from ._parts import CalendarPart, Provenance

__all__ = ["DTSTAMP_PLACEHOLDER", "load"]

logger = logging.getLogger("bridge_sched")

DTSTAMP_PLACEHOLDER = "yyyymmddThhmmssZ"
"""The value DAViCal's test harness writes in place of every ``DTSTAMP``."""

_CALDAV = "{urn:ietf:params:xml:ns:caldav}"
_DAV = "{DAV:}"
_PLACEHOLDER_LINE = re.compile(
    r"^DTSTAMP(?:;[^:\r\n]*)?:" + DTSTAMP_PLACEHOLDER + r"[ \t]*(?:\r\n|\r|\n|$)", re.MULTILINE
)
_STATUS_CODE = re.compile(r"^\d(?:\.\d+)+$")


def _note(name: str, repairs: list[str], text: str) -> None:
    if text not in repairs:
        logger.warning("bridge_sched adapter repair: %s: %s", name, text)
        repairs.append(text)


# ---------------------------------------------------------------------------
# HTTP framing
# ---------------------------------------------------------------------------


def _split_http(data: bytes, name: str, repairs: list[str]) -> tuple[bytes, str]:
    """(body, content type) of a raw HTTP response; ``data`` itself if it has no status line."""
    if not data.lstrip().startswith(b"HTTP/"):
        return data, ""
    data = data.lstrip()
    match = re.search(rb"\r?\n\r?\n", data)
    if match is None:
        raise AdapterError(name, "HTTP headers", "headers", "no blank line after the headers")
    head = data[: match.start()].decode("latin-1")
    body = data[match.end() :]
    lines = re.split(r"\r?\n", head)
    status = re.match(r"^HTTP/\d(?:\.\d)? (\d{3})(?: |$)", lines[0])
    if status is None:
        raise AdapterError(name, "line 1", "status line", "not an HTTP status line")
    if status.group(1) != "200":
        raise AdapterError(name, "line 1", status.group(1), "HTTP status is not 200")
    headers: dict[str, str] = {}
    for number, line in enumerate(lines[1:], start=2):
        key, sep, value = line.partition(":")
        if not sep or not key.strip():
            raise AdapterError(name, f"line {number}", "header", "malformed HTTP header line")
        headers[key.strip().lower()] = value.strip()
    if "chunked" in headers.get("transfer-encoding", "").lower():
        raise AdapterError(
            name, "Transfer-Encoding", "chunked", "chunked HTTP bodies are not supported"
        )
    length_text = headers.get("content-length")
    if length_text is not None:
        if not length_text.isdigit():
            raise AdapterError(name, "Content-Length", length_text[:20], "not a byte count")
        length = int(length_text)
        if len(body) < length:
            raise AdapterError(
                name,
                "Content-Length",
                length_text,
                f"body has only {len(body)} bytes (truncated response)",
            )
        extra = body[length:]
        body = body[:length]
        if extra.strip():
            lines_after = len(extra.strip().splitlines())
            _note(
                name,
                repairs,
                f"{lines_after} line(s) after the {length}-byte HTTP body (Content-Length) "
                "ignored: not part of the reply",
            )
    return body, headers.get("content-type", "").split(";")[0].strip().lower()


# ---------------------------------------------------------------------------
# iCalendar bodies
# ---------------------------------------------------------------------------


def _clean_calendar(text: str, name: str, repairs: list[str]) -> str:
    """Drop DAViCal's DTSTAMP placeholder and trailing non-iCalendar text."""
    found = len(_PLACEHOLDER_LINE.findall(text))
    if found:
        text = _PLACEHOLDER_LINE.sub("", text)
        _note(
            name,
            repairs,
            f"{found} DTSTAMP placeholder(s) {DTSTAMP_PLACEHOLDER!r} dropped (test-harness "
            "redaction; DTSTAMP is not a busy time)",
        )
    ends = list(re.finditer(r"^[ \t]*END:VCALENDAR[ \t]*\r?$", text, re.MULTILINE | re.IGNORECASE))
    if ends:
        cut = ends[-1].end()
        tail = text[cut:]
        if not tail.strip():
            text = text[:cut] + "\n"
        elif not re.search(r"^BEGIN:", tail, re.MULTILINE | re.IGNORECASE):
            lines_after = len(tail.strip().splitlines())
            _note(
                name,
                repairs,
                f"{lines_after} line(s) after the last END:VCALENDAR ignored: not iCalendar",
            )
            text = text[:cut] + "\n"
    return text


def _calendar_parts(
    text: str,
    *,
    label: str,
    name: str,
    window: Window,
    fetched_at: dt.datetime,
    account: str | None,
    repairs: Sequence[str],
    recipient: bool = False,
) -> tuple[CalendarPart, ...]:
    """Parts of one iCalendar body (``label`` names it in errors, ``name`` in provenance)."""
    from . import ics
    from .freebusy import _load_calendars

    own = list(repairs)
    cleaned = _clean_calendar(text, label, own)
    parsed = ics._parse(cleaned, label)
    own.extend(r for r in parsed.repairs if r not in own)
    parts = _load_calendars(
        parsed.calendars,
        window=window,
        fetched_at=fetched_at,
        account=account,
        timezone=None,
        name=label,
        source="caldav",
        repairs=own,
        attendee_accounts=not recipient,
    )
    return tuple(
        part.model_copy(
            update={
                "provenance": part.provenance.model_copy(update={"name": name}),
            }
        )
        for part in parts
    )


# ---------------------------------------------------------------------------
# schedule-response XML
# ---------------------------------------------------------------------------


def _parse_xml(data: bytes, name: str, repairs: list[str]) -> ET.Element:
    """The root element of ``data``; text after the root's end tag is ignored (repair)."""
    if re.search(rb"<!DOCTYPE|<!ENTITY", data, re.IGNORECASE):
        raise AdapterError(
            name, "XML", "DOCTYPE", "XML with a DOCTYPE or entity declaration is refused"
        )
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start", "end"))
    depth = 0
    root: ET.Element | None = None
    lines = data.splitlines(keepends=True)
    done_at: int | None = None
    for number, line in enumerate(lines, start=1):
        try:
            parser.feed(line)
            events = list(parser.read_events())
        except ET.ParseError as exc:
            where = exc.position[0] if exc.position[0] > 1 else number
            raise AdapterError(name, f"line {where}", "XML", "malformed XML") from None
        for item in events:
            if len(item) != 2:
                continue  # namespace events are not requested
            event, element = item
            if event == "start":
                if root is None and isinstance(element, ET.Element):
                    root = element
                depth += 1
            else:
                depth -= 1
                if depth == 0:
                    done_at = number
        if done_at is not None:
            break
    if root is None or done_at is None:
        raise AdapterError(
            name, f"line {len(lines)}", "XML", "document ends before its root element is closed"
        )
    tail = b"".join(lines[done_at:])
    if tail.strip():
        _note(
            name,
            repairs,
            f"{len(tail.strip().splitlines())} line(s) after the end of the XML document "
            "ignored: not part of the reply",
        )
    return root


def _status_code(text: str) -> str:
    code = text.split(";", 1)[0].strip()
    return code if _STATUS_CODE.match(code) else "<status>"


def _schedule_parts(
    root: ET.Element,
    *,
    name: str,
    window: Window,
    fetched_at: dt.datetime,
    repairs: list[str],
) -> tuple[CalendarPart, ...]:
    if root.tag != f"{_CALDAV}schedule-response":
        raise AdapterError(name, "XML root", "root", "not a CalDAV schedule-response")
    parts: list[CalendarPart] = []
    seen: set[str] = set()
    responses = root.findall(f"{_CALDAV}response")
    for index, response in enumerate(responses):
        path = f"schedule-response/response[{index}]"
        href = response.find(f"{_CALDAV}recipient/{_DAV}href")
        if href is None or not (href.text or "").strip():
            raise AdapterError(name, f"{path}/recipient", "href", "recipient without DAV:href")
        account = (href.text or "").strip()
        if account[:7].lower() == "mailto:":
            account = "mailto:" + account[7:].strip()
        if len(account) > 300:
            raise AdapterError(name, f"{path}/recipient", "href", "longer than 300 characters")
        if account in seen:
            raise AdapterError(
                name, f"{path}/recipient", "href", "recipient answered twice in one reply"
            )
        seen.add(account)
        status = response.find(f"{_CALDAV}request-status")
        if status is None or not (status.text or "").strip():
            raise AdapterError(
                name, f"{path}/request-status", "request-status", "response without request-status"
            )
        code = _status_code(status.text or "")
        if code != "2.0":
            logger.warning(
                "bridge_sched adapter: %s: %s request-status %s: whole window unknown",
                name,
                path,
                code,
            )
            parts.append(
                CalendarPart(
                    account=account,
                    busy=(Busy(start=window.start, end=window.end, kind=BusyKind.unknown),),
                    coverage=window,
                    provenance=Provenance(
                        source="caldav",
                        kind="calendar",
                        name=name,
                        fetched_at=fetched_at,
                        repairs=tuple(repairs),
                    ),
                )
            )
            continue
        data = response.find(f"{_CALDAV}calendar-data")
        if data is None or not (data.text or "").strip():
            raise AdapterError(
                name,
                f"{path}/calendar-data",
                "calendar-data",
                "request-status 2.0 without calendar-data",
            )
        found = _calendar_parts(
            data.text or "",
            label=f"{name} {path}/calendar-data",
            name=name,
            window=window,
            fetched_at=fetched_at,
            account=account,
            repairs=repairs,
            recipient=True,
        )
        if not found:
            raise AdapterError(
                name,
                f"{path}/calendar-data",
                "VFREEBUSY",
                "the VFREEBUSY span does not reach the window",
            )
        # The recipient element is authoritative: all of its calendar-data is one part.
        parts.extend(found)
    if not responses:
        raise AdapterError(name, "schedule-response", "response", "no C:response element")
    parts.sort(key=lambda p: (p.account, p.coverage.start if p.coverage else window.start))
    return tuple(parts)


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------


def load(
    source: str | os.PathLike[str] | bytes,
    *,
    window: Window,
    fetched_at: dt.datetime,
    name: str | None = None,
    account: str | None = None,
) -> tuple[CalendarPart, ...]:
    """Free/busy parts of a CalDAV reply (schedule-response XML or free-busy REPORT).

    Parameters
    ----------
    source
        A path to the saved reply, or its bytes (with or without HTTP status
        line and headers).
    window
        The UTC span asked about; coverage and periods are clipped to it, and
        a failed recipient is ``unknown`` over all of it.
    fetched_at
        When the reply was received (aware).
    name
        Label for messages and provenance; defaults to the file name.
    account
        Account of a free-busy REPORT reply (which names no one); defaults to
        the name. Not used for schedule-responses (each names its recipient).

    Returns
    -------
    tuple of CalendarPart
        Sorted by (account, coverage start).

    Raises
    ------
    AdapterError
        A non-200 HTTP status, a truncated body, XML with a DOCTYPE, malformed
        or truncated XML, a response without recipient or request-status, or a
        calendar body :mod:`bridge_sched.adapters.freebusy` cannot read.
    """
    from . import ics

    data, label = ics._read_source(source, name)
    repairs: list[str] = []
    body, content_type = _split_http(data, label, repairs)
    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
    head = body.lstrip()[:64].upper()
    if head.startswith(b"<") or "xml" in content_type:
        root = _parse_xml(body, label, repairs)
        return _schedule_parts(
            root, name=label, window=window, fetched_at=fetched_at, repairs=repairs
        )
    if head.startswith(b"BEGIN:VCALENDAR") or content_type == "text/calendar":
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise AdapterError(label, "body", "encoding", "body is not UTF-8") from None
        parts = _calendar_parts(
            text,
            label=label,
            name=label,
            window=window,
            fetched_at=fetched_at,
            account=account,
            repairs=repairs,
        )
        return tuple(
            sorted(
                parts, key=lambda p: (p.account, p.coverage.start if p.coverage else window.start)
            )
        )
    raise AdapterError(
        label, "body", content_type or "body", "neither a schedule-response nor text/calendar"
    )
