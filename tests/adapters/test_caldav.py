"""CalDAV free/busy replies on synthetic input (bridge_sched.adapters.caldav)."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from bridge_sched.adapters import caldav
from bridge_sched.adapters._parts import CalendarPart
from bridge_sched.errors import AdapterError
from bridge_sched.model import BusyKind, Window

from .conftest import FETCHED

UTC = dt.timezone.utc


def at(text: str) -> dt.datetime:
    """A UTC instant from ``YYYY-MM-DDTHH:MM``."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


WINDOW = Window(start=at("2027-03-16T00:00"), end=at("2027-03-17T00:00"))
CANARY = "CANARY-c4d1"


def calendar(attendee: str, *periods: str) -> str:
    """A METHOD:REPLY VFREEBUSY body with a canary in every free-text place."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//test//EN",
        "METHOD:REPLY",
        "BEGIN:VFREEBUSY",
        "UID:q-1",
        "DTSTAMP:yyyymmddThhmmssZ",
        "DTSTART:20270316T000000Z",
        "DTEND:20270317T000000Z",
        f"ORGANIZER;CN={CANARY}:mailto:boss@example.net",
        f"ATTENDEE;CN={CANARY}:{attendee}",
        f"COMMENT:{CANARY}",
        *[f"FREEBUSY:{p}" for p in periods],
        "END:VFREEBUSY",
        "END:VCALENDAR",
    ]
    return "\r\n".join(lines) + "\r\n"


def response(href: str, status: str, data: str | None) -> str:
    """One C:response element."""
    body = f"<C:calendar-data>{data}</C:calendar-data>" if data is not None else ""
    return (
        f"<C:response><C:recipient><href>{href}</href></C:recipient>"
        f"<C:request-status>{status}</C:request-status>{body}</C:response>"
    )


def schedule(*responses: str, prolog: str = '<?xml version="1.0" encoding="utf-8" ?>') -> bytes:
    """A C:schedule-response document."""
    return (
        f'{prolog}\n<C:schedule-response xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">\n'
        + "\n".join(responses)
        + "\n</C:schedule-response>\n"
    ).encode()


def load(data: bytes, **kwargs: object) -> tuple[CalendarPart, ...]:
    """caldav.load with the test window and fetch time."""
    return caldav.load(data, window=WINDOW, fetched_at=FETCHED, name="reply.xml", **kwargs)  # type: ignore[arg-type]


def test_schedule_response_with_failed_recipient() -> None:
    """A 2.0 recipient gives its busy time; a 3.7 recipient is unknown over the whole window."""
    data = schedule(
        response(
            "mailto:ok@example.net",
            "2.0;Success",
            calendar("mailto:ok@example.net", "20270316T140000Z/PT1H"),
        ),
        response("mailto:gone@example.net", "3.7;Invalid calendar user", None),
    )
    gone, ok = load(data)
    assert gone.account == "mailto:gone@example.net"
    assert [(b.start, b.end, b.kind) for b in gone.busy] == [
        (WINDOW.start, WINDOW.end, BusyKind.unknown)
    ]
    assert gone.coverage == WINDOW
    assert ok.account == "mailto:ok@example.net"
    assert [(b.start, b.end, b.kind) for b in ok.busy] == [
        (at("2027-03-16T14:00"), at("2027-03-16T15:00"), BusyKind.busy)
    ]
    assert any("DTSTAMP placeholder" in r for r in ok.provenance.repairs)
    assert ok.provenance.source == "caldav"
    assert ok.provenance.name == "reply.xml"


def test_recipient_href_is_authoritative() -> None:
    """The part's account is the recipient href even when ATTENDEE spells it differently."""
    data = schedule(
        response(
            "MAILTO:ok@example.net",
            "2.0;Success",
            calendar("mailto:other@example.net", "20270316T140000Z/PT1H"),
        )
    )
    (part,) = load(data)
    assert part.account == "mailto:ok@example.net"


@pytest.mark.parametrize(
    "prolog",
    [
        '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>',
        '<?xml version="1.0"?>\n<!DOCTYPE x SYSTEM "file:///etc/passwd">',
        '<?xml version="1.0"?>\n<!doctype x>',
    ],
)
def test_xml_with_doctype_is_refused(prolog: str) -> None:
    """Any DOCTYPE (internal entities, external DTD) is refused before parsing."""
    data = schedule(response("mailto:a@example.net", "3.7;x", None), prolog=prolog)
    with pytest.raises(AdapterError) as info:
        load(data)
    assert info.value.value == "DOCTYPE"


def test_truncated_xml_is_an_error() -> None:
    """A document that stops before its root element closes is refused."""
    data = schedule(response("mailto:a@example.net", "2.0;Success", calendar("mailto:a@x")))
    with pytest.raises(AdapterError) as info:
        load(data[: len(data) // 2])
    assert info.value.value == "XML"


def test_malformed_xml_names_the_line() -> None:
    """Mismatched tags are an error naming the line."""
    with pytest.raises(AdapterError) as info:
        load(b'<?xml version="1.0"?>\n<a>\n<b></a>\n')
    assert info.value.where == "line 3"


def test_trailing_text_after_xml_is_a_logged_repair(caplog: pytest.LogCaptureFixture) -> None:
    """Text after the root's end tag is not the document: ignored and recorded."""
    data = schedule(response("mailto:a@example.net", "3.7;x", None)) + b"\n  dump: >x<\n"
    with caplog.at_level(logging.WARNING, logger="bridge_sched"):
        (part,) = load(data)
    assert any("after the end of the XML document" in r for r in part.provenance.repairs)
    assert "after the end of the XML document" in caplog.text


def test_success_without_calendar_data_is_an_error() -> None:
    """request-status 2.0 but no calendar-data cannot be read without guessing."""
    with pytest.raises(AdapterError) as info:
        load(schedule(response("mailto:a@example.net", "2.0;Success", None)))
    assert info.value.where == "schedule-response/response[0]/calendar-data"


def test_missing_recipient_or_status_is_an_error() -> None:
    """A response without recipient href or request-status is refused."""
    bad = "<C:response><C:request-status>2.0</C:request-status></C:response>"
    with pytest.raises(AdapterError, match="recipient"):
        load(schedule(bad))
    bad = "<C:response><C:recipient><href>mailto:a@x</href></C:recipient></C:response>"
    with pytest.raises(AdapterError, match="request-status"):
        load(schedule(bad))


def test_other_root_element_is_an_error() -> None:
    """A multistatus (or any other root) is not a schedule-response."""
    with pytest.raises(AdapterError, match="not a CalDAV schedule-response"):
        load(b'<?xml version="1.0"?>\n<D:multistatus xmlns:D="DAV:"/>\n')


def http(body: bytes, status: str = "200 OK", length: int | None = None) -> bytes:
    """A raw HTTP response around ``body``."""
    size = len(body) if length is None else length
    head = f"HTTP/1.1 {status}\r\nContent-Type: text/calendar\r\nContent-Length: {size}\r\n\r\n"
    return head.encode() + body


REPORT = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VFREEBUSY\r\n"
    b"DTSTAMP:20270316T000000Z\r\nDTSTART:20270316T000000Z\r\nDTEND:20270317T000000Z\r\n"
    b"FREEBUSY;FBTYPE=BUSY-TENTATIVE:20270316T100000Z/PT30M\r\n"
    b"END:VFREEBUSY\r\nEND:VCALENDAR\r\n"
)


def test_report_reply_with_and_without_http_headers() -> None:
    """A free-busy REPORT body reads the same with or without its HTTP framing."""
    bare = load(REPORT, account="cal-7")
    framed = load(http(REPORT), account="cal-7")
    assert bare == framed
    (part,) = bare
    assert part.account == "cal-7"
    assert [(b.start, b.end, b.kind) for b in part.busy] == [
        (at("2027-03-16T10:00"), at("2027-03-16T10:30"), BusyKind.tentative)
    ]


def test_bytes_after_content_length_are_ignored_and_recorded() -> None:
    """Bytes beyond Content-Length are not the body (a logged repair)."""
    (part,) = load(http(REPORT) + b"\n   a) Start: >x<\n")
    assert any("Content-Length" in r for r in part.provenance.repairs)


def test_short_body_and_bad_status_are_errors() -> None:
    """A body shorter than Content-Length, or a non-200 status, is refused."""
    with pytest.raises(AdapterError, match="truncated"):
        load(http(REPORT, length=len(REPORT) + 10))
    with pytest.raises(AdapterError) as info:
        load(http(REPORT, status="404 Not Found"))
    assert info.value.value == "404"


def test_placeholder_in_a_time_property_is_not_repaired() -> None:
    """Only DTSTAMP may carry the harness placeholder; in DTSTART it is an error."""
    data = REPORT.replace(b"DTSTART:20270316T000000Z", b"DTSTART:yyyymmddThhmmssZ")
    with pytest.raises(AdapterError):
        load(data)


def test_privacy_canary_in_schedule_response(caplog: pytest.LogCaptureFixture) -> None:
    """CN/COMMENT canaries in calendar-data reach no part, log line or error."""
    good = schedule(
        response(
            "mailto:a@example.net",
            "2.0;Success",
            calendar("mailto:a@example.net", "20270316T140000Z/PT1H"),
        ),
        response("mailto:b@example.net", f"3.7;{CANARY}", None),
    )
    broken = good.replace(b"20270316T140000Z/PT1H", b"20270316T140000/PT1H")
    with caplog.at_level(logging.DEBUG):
        parts = load(good)
        with pytest.raises(AdapterError) as info:
            load(broken)
    for part in parts:
        assert CANARY not in part.model_dump_json()
        assert CANARY not in repr(part)
    assert CANARY not in str(info.value)
    assert CANARY not in caplog.text
    assert "mailto:a@example.net" not in caplog.text
