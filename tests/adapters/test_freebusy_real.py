"""Free/busy and CalDAV adapters on the real third-party files (see SOURCES.md).

Every expected instant below was worked out by hand from the file (derivation
in the comment next to it), not copied from the adapter's output. ``FILES``
maps each file to what its test asserts; the DAViCal REPORT is also checked
against the expected local and UTC times its harness lines list.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bridge_sched.adapters import caldav, freebusy
from bridge_sched.adapters._parts import CalendarPart
from bridge_sched.errors import AdapterError
from bridge_sched.model import BusyKind, Window

from .conftest import FETCHED

UTC = dt.timezone.utc
B, T, OOO = BusyKind.busy, BusyKind.tentative, BusyKind.out_of_office


def at(text: str) -> dt.datetime:
    """A UTC instant from ``YYYY-MM-DDTHH:MM[:SS]``."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def win(start: str, end: str) -> Window:
    """A UTC window."""
    return Window(start=at(start), end=at(end))


Interval = tuple[dt.datetime, dt.datetime, BusyKind]


@dataclass(frozen=True)
class PartSpec:
    """What one part must hold (``busy_count`` counts every period as given)."""

    account: str
    coverage: Window
    busy: tuple[Interval, ...] = ()
    busy_count: int | None = None
    absent: tuple[Interval, ...] = ()
    available: tuple[tuple[dt.datetime, dt.datetime], ...] = ()
    available_count: int | None = None
    repairs: tuple[str, ...] = ()


@dataclass(frozen=True)
class FileSpec:
    """One real file: loader, window, options, and the parts or the refusal expected."""

    loader: str  # "freebusy" or "caldav"
    window: Window
    parts: tuple[PartSpec, ...] = ()
    options: dict[str, str] = field(default_factory=dict)
    refused: tuple[str, str] | None = None  # (where, value) of the AdapterError
    forbidden: tuple[str, ...] = ()  # text that must not appear in any part


FILES: dict[str, FileSpec] = {
    # DavMail REPLY for one month: eight FBTYPE=BUSY lines in UTC; ATTENDEE names the account
    # (ORGANIZER is the requester and is never used).
    "ics-freebusy/davmail_exchange_freebusy_reply.ics": FileSpec(
        "freebusy",
        win("2011-12-01T00:00", "2012-03-01T00:00"),
        (
            PartSpec(
                "mailto:attendee@domain.tld",
                win("2012-01-01T00:00", "2012-02-01T00:00"),  # DTSTART/DTEND (UTC)
                busy=(
                    (at("2012-01-03T09:15"), at("2012-01-03T10:15"), B),  # first line
                    (at("2012-01-24T12:30"), at("2012-01-24T14:30"), B),  # seventh line
                    (at("2012-01-31T09:15"), at("2012-01-31T10:15"), B),  # last line
                ),
                busy_count=8,
            ),
        ),
        forbidden=("organizer@domain.tld",),
    ),
    # RFC 5545 §3.8.2.6 examples: BUSY-UNAVAILABLE 16:00Z + PT8H30M ends 00:30Z next day;
    # default FBTYPE (BUSY) 16:00Z+PT3H and 20:00Z+PT1H; the FREE folded list blocks nothing.
    "ics-freebusy/freebusy_fbtype_durations_folded_lists.ics": FileSpec(
        "freebusy",
        win("1997-03-01T00:00", "1997-04-01T00:00"),
        (
            PartSpec(
                "freebusy_fbtype_durations_folded_lists.ics",  # no ATTENDEE: the file name
                win("1997-03-01T00:00", "1997-04-01T00:00"),  # no DTSTART/DTEND: the window
                busy=(
                    (at("1997-03-08T16:00"), at("1997-03-08T19:00"), B),
                    (at("1997-03-08T16:00"), at("1997-03-09T00:30"), OOO),
                    (at("1997-03-08T20:00"), at("1997-03-08T21:00"), B),
                ),
                busy_count=3,
                absent=((at("1997-03-08T23:00"), at("1997-03-09T00:00"), B),),  # FREE, folded
            ),
        ),
    ),
    # libical 5.ics: DTEND and the third FREEBUSY line are floating (invalid). Without a zone the
    # first floating value met (DTEND) is refused; see also test_floating_file_with_caller_zone.
    "ics-freebusy/freebusy_mixed_floating_and_utc_periods.ics": FileSpec(
        "freebusy",
        win("1998-03-01T00:00", "1998-05-01T00:00"),
        refused=("VFREEBUSY[0].DTEND", "19980410T141711"),
    ),
    # Six VCALENDARs of RFC 2445 examples plus stray components between them, which
    # parse_calendars reads as their own VCALENDARs (a logged repair per component). Three
    # VFREEBUSY are stray (lines 68, 76, 89), one is in the last VCALENDAR. john_public: the
    # request (no FREEBUSY) and the reply (same span) merge; 05:00Z+PT8H30M = 13:30Z,
    # 16:00Z+PT5H30M = 21:30Z, 22:30Z+PT6H30M = 05:00Z next day. jsmith's two VFREEBUSY name
    # no ATTENDEE (file-name account) and share one span, so each period appears twice, as
    # given. The VEVENTs (the TRANSP:TRANSPARENT one on 1997-04-01 included) are not read here.
    "ics-freebusy/rfc2445_examples_freebusy_class_multi_vcalendar.ics": FileSpec(
        "freebusy",
        win("1997-01-01T00:00", "1999-01-01T00:00"),
        (
            PartSpec(
                "mailto:john_public@host2.com",
                win("1997-10-15T05:00", "1997-10-16T05:00"),
                busy=(
                    (at("1997-10-15T05:00"), at("1997-10-15T13:30"), B),
                    (at("1997-10-15T16:00"), at("1997-10-15T21:30"), B),
                    (at("1997-10-15T22:30"), at("1997-10-16T05:00"), B),
                ),
                busy_count=3,
                repairs=("line 68: VFREEBUSY outside any VCALENDAR read as its own VCALENDAR",),
            ),
            PartSpec(
                "rfc2445_examples_freebusy_class_multi_vcalendar.ics",
                win("1998-03-13T14:17:11", "1998-04-10T14:17:11"),
                busy=(
                    (at("1998-03-14T23:30"), at("1998-03-15T00:30"), B),
                    (at("1998-03-18T03:00"), at("1998-03-18T04:00"), B),
                ),
                busy_count=6,
                absent=(
                    (at("1997-04-01T16:30"), at("1997-04-02T01:00"), B),  # transparent VEVENT
                    (at("1997-07-14T17:00"), at("1997-07-15T03:59:59"), B),  # a VEVENT
                ),
            ),
        ),
        forbidden=("Bastille", "Laurel", "CONFIDENTIAL", "jane_doe", "three months", "jsmith"),
    ),
    # Sixt: the only FREEBUSY is FBTYPE=FREE 06:30Z-16:30Z and the VEVENT with the same times is
    # TRANSP:TRANSPARENT (and not read here): nothing is busy. ORGANIZER;CN=Sixt SE has no ':'
    # and is dropped as a logged repair.
    "ics-freebusy/sixt_freebusy_free_with_transparent_event.ics": FileSpec(
        "freebusy",
        win("2019-06-20T00:00", "2019-06-30T00:00"),
        (
            PartSpec(
                "sixt_freebusy_free_with_transparent_event.ics",
                win("2019-06-20T00:00", "2019-06-30T00:00"),
                busy_count=0,
                absent=((at("2019-06-24T06:30"), at("2019-06-24T16:30"), B),),
                repairs=("line 8: malformed ORGANIZER line dropped (not a time property)",),
            ),
        ),
        forbidden=("Sixt", "Ferney", "TRANSPARENT"),
    ),
    # RFC 7953 §3 example: Mon-Fri 09-17 in Montreal until 2011-10-23 03:00 EDT, Denver until
    # 2011-10-30 00:00 MDT, then Montreal with no end. EDT = UTC-4, MDT = UTC-6, and from
    # 2011-11-06 EST = UTC-5.
    "ics-freebusy/vavailability_rfc7953_montreal_denver.ics": FileSpec(
        "freebusy",
        win("2011-10-17T00:00", "2011-11-08T00:00"),
        (
            PartSpec(
                "vavailability_rfc7953_montreal_denver.ics",
                win("2011-10-17T00:00", "2011-11-08T00:00"),  # first range starts Oct 2; open end
                available=(
                    (at("2011-10-17T13:00"), at("2011-10-17T21:00")),  # Mon 09-17 EDT
                    (at("2011-10-24T15:00"), at("2011-10-24T23:00")),  # Mon 09-17 MDT (Denver)
                    (at("2011-10-28T15:00"), at("2011-10-28T23:00")),  # Fri 09-17 MDT
                    (at("2011-10-31T13:00"), at("2011-10-31T21:00")),  # Mon 09-17 EDT (back)
                    (at("2011-11-07T14:00"), at("2011-11-07T22:00")),  # Mon 09-17 EST (DST over)
                ),
                # 3 Montreal weekdays... = 5 (Oct 17-21) + 5 Denver + 5 (Oct 31-Nov 4) + Nov 7.
                available_count=16,
                repairs=(
                    # Oct 30 00:00 MDT = 06:00Z ends Denver, 03:00 EDT = 07:00Z starts Montreal.
                    "VAVAILABILITY: 60 min between ranges covered by none of them read as "
                    "out of hours (RFC 7953 leaves such time unrestricted)",
                ),
            ),
        ),
        forbidden=("bernard", "Montreal to", "Monday to Friday"),
    ),
    # DAViCal REPORT: 23 FREEBUSY lines, one BUSY-TENTATIVE; body = Content-Length bytes.
    "caldav/davical_freebusy_report_busy_tentative.txt": FileSpec(
        "caldav",
        win("2006-10-01T00:00", "2007-02-01T00:00"),
        (
            PartSpec(
                "davical_freebusy_report_busy_tentative.txt",
                win("2006-10-04T14:00", "2007-01-05T22:00"),  # DTSTART/DTEND
                busy=(
                    (at("2006-10-31T21:00"), at("2006-10-31T22:00"), B),  # 11-01 10:00 NZDT
                    (at("2006-11-01T23:30"), at("2006-11-02T00:30"), B),  # 11-02 12:30 NZDT
                    (at("2006-12-23T06:00"), at("2006-12-23T08:00"), T),  # 19:00 McMurdo, TENT.
                    (at("2007-01-03T21:00"), at("2007-01-03T22:00"), B),  # last line
                ),
                busy_count=23,
                repairs=(
                    "55 line(s) after the 1256-byte HTTP body (Content-Length) ignored: "
                    "not part of the reply",
                    "1 DTSTAMP placeholder(s) 'yyyymmddThhmmssZ' dropped (test-harness "
                    "redaction; DTSTAMP is not a busy time)",
                ),
            ),
        ),
        forbidden=("Pacific/Auckland", "McMurdo", "FREQ="),
    ),
    # DAViCal schedule-response: overnight 19:00Z-05:00Z contains 19:45-20:30 and 21:00-22:00;
    # all eight periods stay as given (the core merges). Harness lines follow the XML.
    "caldav/davical_schedule_response_overlapping_private.txt": FileSpec(
        "caldav",
        win("2008-07-30T00:00", "2008-08-04T00:00"),
        (
            PartSpec(
                "mailto:user1@example.net",
                win("2008-07-30T11:00", "2008-08-03T11:00"),
                busy=(
                    (at("2008-07-30T19:00"), at("2008-07-31T05:00"), B),
                    (at("2008-07-30T19:45"), at("2008-07-30T20:30"), B),
                    (at("2008-07-30T21:00"), at("2008-07-30T22:00"), B),
                    (at("2008-08-02T21:00"), at("2008-08-02T22:00"), B),
                ),
                busy_count=8,
                repairs=(
                    "29 line(s) after the end of the XML document ignored: not part of the reply",
                ),
            ),
        ),
        forbidden=("PRIVATE", "dav_name", "user4@example.net", "anotherone"),
    ),
    # DAViCal schedule-response for two recipients: manager1 busy 21:00Z-22:00Z; user1 has no
    # FREEBUSY line, i.e. free over the whole VFREEBUSY span (a statement, not a gap).
    "caldav/davical_schedule_response_two_recipients.xml": FileSpec(
        "caldav",
        win("2011-10-18T00:00", "2011-10-20T00:00"),
        (
            PartSpec(
                "mailto:manager1@example.net",
                win("2011-10-18T11:00", "2011-10-19T11:00"),
                busy=((at("2011-10-18T21:00"), at("2011-10-18T22:00"), B),),
                busy_count=1,
            ),
            PartSpec(
                "mailto:user1@example.net",
                win("2011-10-18T11:00", "2011-10-19T11:00"),
                busy_count=0,
                absent=((at("2011-10-18T21:00"), at("2011-10-18T22:00"), B),),
            ),
        ),
    ),
}


def run(path: Path, spec: FileSpec) -> tuple[CalendarPart, ...]:
    """Load one real file as its spec says."""
    if spec.loader == "caldav":
        return caldav.load(path, window=spec.window, fetched_at=FETCHED, **spec.options)
    return freebusy.load(path, window=spec.window, fetched_at=FETCHED, **spec.options)


def triples(part: CalendarPart) -> list[Interval]:
    """(start, end, kind) of every busy interval."""
    return [(b.start, b.end, b.kind) for b in part.busy]


def test_every_real_file_has_a_spec(real_data: Path) -> None:
    """All files in ics-freebusy/ and caldav/ are covered by FILES."""
    found = {
        f"{folder}/{p.name}"
        for folder in ("ics-freebusy", "caldav")
        for p in (real_data / folder).iterdir()
    }
    assert found == set(FILES)


@pytest.mark.parametrize("relative", sorted(FILES))
def test_real_file(real_data: Path, relative: str) -> None:
    """Hand-derived UTC instants, kinds, absences and repairs of each real file (or its refusal)."""
    spec = FILES[relative]
    path = real_data / relative
    if spec.refused is not None:
        with pytest.raises(AdapterError) as info:
            run(path, spec)
        assert (info.value.where, info.value.value) == spec.refused
        assert info.value.source == path.name
        return
    parts = run(path, spec)
    assert [p.account for p in parts] == [s.account for s in spec.parts]
    for part, expect in zip(parts, spec.parts, strict=True):
        assert part.coverage == expect.coverage
        got = triples(part)
        for item in expect.busy:
            assert item in got
        for item in expect.absent:
            assert item not in got
        if expect.busy_count is not None:
            assert len(got) == expect.busy_count
        assert got == sorted(got, key=lambda t: (t[0], t[1], t[2].value))
        assert all(t[0].utcoffset() == dt.timedelta(0) for t in got)
        if expect.available or expect.available_count is not None:
            assert part.availability is not None
            spans = [(w.start, w.end) for w in part.availability]
            for span in expect.available:
                assert span in spans
            if expect.available_count is not None:
                assert len(spans) == expect.available_count
        for repair in expect.repairs:
            assert repair in part.provenance.repairs
        dump = part.model_dump_json()
        for text in spec.forbidden:
            assert text not in dump


def test_floating_file_with_caller_zone(real_data: Path) -> None:
    """libical 5.ics read in America/New_York: floating 03:00 EST = 08:00Z, twice (as given)."""
    path = real_data / "ics-freebusy/freebusy_mixed_floating_and_utc_periods.ics"
    window = win("1998-03-01T00:00", "1998-05-01T00:00")
    (part,) = freebusy.load(path, window=window, fetched_at=FETCHED, timezone="America/New_York")
    # DTEND 1998-04-10 14:17:11 floating: US DST began 1998-04-05, EDT = UTC-4 -> 18:17:11Z.
    assert part.coverage == Window(start=at("1998-03-13T14:17:11"), end=at("1998-04-10T18:17:11"))
    assert triples(part) == [
        (at("1998-03-14T23:30"), at("1998-03-15T00:30"), B),  # UTC as written
        (at("1998-03-16T15:30"), at("1998-03-16T16:30"), B),  # UTC as written
        (at("1998-03-18T08:00"), at("1998-03-18T09:00"), B),  # 03:00-04:00 EST (UTC-5)
        (at("1998-03-18T08:00"), at("1998-03-18T09:00"), B),  # the duplicate, counted as given
    ]
    assert part.account == path.name  # ORGANIZER jsmith is not used
    assert any("America/New_York" in r for r in part.provenance.repairs)


def test_rfc2445_file_last_vcalendar_alone(real_data: Path) -> None:
    """The one VFREEBUSY inside a proper VCALENDAR (the last one) reads cleanly on its own."""
    text = (
        real_data / "ics-freebusy/rfc2445_examples_freebusy_class_multi_vcalendar.ics"
    ).read_text()
    last = text[text.rindex("BEGIN:VCALENDAR") :].encode()
    window = win("1998-03-01T00:00", "1998-05-01T00:00")
    (part,) = freebusy.load(last, window=window, fetched_at=FETCHED, name="rfc2445-last.ics")
    assert part.coverage == Window(start=at("1998-03-13T14:17:11"), end=at("1998-04-10T14:17:11"))
    assert triples(part) == [
        (at("1998-03-14T23:30"), at("1998-03-15T00:30"), B),
        (at("1998-03-16T15:30"), at("1998-03-16T16:30"), B),
        (at("1998-03-18T03:00"), at("1998-03-18T04:00"), B),
    ]


# Expected values from the harness lines after the DAViCal REPORT body: local start and zone,
# UTC start and end. Each local start is converted independently here and must match, and the
# UTC period must be in the part.
DAVICAL_EXPECTED = [
    ("2006-11-01 10:00", "Pacific/Auckland", "2006-10-31T21:00", "2006-10-31T22:00"),
    ("2006-11-02 10:00", "Pacific/Auckland", "2006-11-01T21:00", "2006-11-01T22:00"),
    ("2006-11-02 12:30", "Pacific/Auckland", "2006-11-01T23:30", "2006-11-02T00:30"),
    ("2006-11-03 16:00", "Pacific/Auckland", "2006-11-03T03:00", "2006-11-03T04:45"),
    ("2006-12-23 13:00", "Pacific/Auckland", "2006-12-23T00:00", "2006-12-23T02:00"),
    ("2006-12-23 16:00", "Antarctica/McMurdo", "2006-12-23T03:00", "2006-12-23T05:00"),
    ("2006-12-23 19:00", "Antarctica/McMurdo", "2006-12-23T06:00", "2006-12-23T08:00"),
]


def test_davical_report_matches_harness_expectations(real_data: Path) -> None:
    """Every harness-listed event is a period of the part; only the TENTATIVE one is tentative."""
    path = real_data / "caldav/davical_freebusy_report_busy_tentative.txt"
    spec = FILES["caldav/davical_freebusy_report_busy_tentative.txt"]
    (part,) = run(path, spec)
    got = {(s, e): k for s, e, k in triples(part)}
    for local, zone, start, end in DAVICAL_EXPECTED:
        wall = dt.datetime.fromisoformat(local).replace(tzinfo=zoneinfo.ZoneInfo(zone))
        assert wall.astimezone(UTC) == at(start)  # NZDT = UTC+13
        kind = T if local == "2006-12-23 19:00" else B
        assert got[(at(start), at(end))] == kind
    assert sum(1 for k in got.values() if k is T) == 1
