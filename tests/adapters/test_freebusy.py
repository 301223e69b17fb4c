"""VFREEBUSY / VAVAILABILITY adapter on synthetic files (bridge_sched.adapters.freebusy)."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from bridge_sched.adapters import freebusy
from bridge_sched.errors import AdapterError
from bridge_sched.model import BusyKind, Window

from .conftest import FETCHED

UTC = dt.timezone.utc


def at(text: str) -> dt.datetime:
    """A UTC instant from ``YYYY-MM-DDTHH:MM``."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


WINDOW = Window(start=at("2027-03-15T00:00"), end=at("2027-03-20T00:00"))


def ics(*lines: str, method: str | None = None) -> bytes:
    """A VCALENDAR around ``lines`` (CRLF line endings)."""
    head = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN"]
    if method:
        head.append(f"METHOD:{method}")
    return ("\r\n".join([*head, *lines, "END:VCALENDAR"]) + "\r\n").encode()


def vfb(*lines: str) -> list[str]:
    """A VFREEBUSY component around ``lines``."""
    return ["BEGIN:VFREEBUSY", "UID:fb-1", "DTSTAMP:20270314T000000Z", *lines, "END:VFREEBUSY"]


def load(data: bytes, window: Window = WINDOW, **kwargs: object) -> tuple:  # type: ignore[type-arg]
    """freebusy.load with the test window and fetch time."""
    return freebusy.load(
        data,
        window=window,
        fetched_at=FETCHED,
        name=str(kwargs.pop("name", "dara.ics")),
        **kwargs,  # type: ignore[arg-type]
    )


# ---------------------------------------------------------------------------
# VFREEBUSY
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("param", "kind"),
    [
        (";FBTYPE=BUSY", BusyKind.busy),
        ("", BusyKind.busy),
        (";FBTYPE=BUSY-TENTATIVE", BusyKind.tentative),
        (";FBTYPE=BUSY-UNAVAILABLE", BusyKind.out_of_office),
        (";FBTYPE=busy-tentative", BusyKind.tentative),
        (";FBTYPE=X-OUT-FOR-LUNCH", BusyKind.busy),
        (";FBTYPE=FREE", None),
    ],
)
def test_fbtype_maps_to_kind(param: str, kind: BusyKind | None) -> None:
    """Each FBTYPE becomes its documented kind; FREE blocks nothing; unknown types are BUSY."""
    (part,) = load(ics(*vfb(f"FREEBUSY{param}:20270316T140000Z/20270316T150000Z")))
    if kind is None:
        assert part.busy == ()
    else:
        assert [(b.start, b.end, b.kind) for b in part.busy] == [
            (at("2027-03-16T14:00"), at("2027-03-16T15:00"), kind)
        ]


def test_duration_period_and_folded_comma_list() -> None:
    """Start/duration and start/end periods in a folded comma list are all read."""
    data = ics(
        *vfb(
            "FREEBUSY:20270316T140000Z/PT1H30M,20270316T170000Z/20270316T173000Z,",
            " 20270317T080000Z/P1DT2H",
        )
    )
    (part,) = load(data)
    assert [(b.start, b.end) for b in part.busy] == [
        (at("2027-03-16T14:00"), at("2027-03-16T15:30")),
        (at("2027-03-16T17:00"), at("2027-03-16T17:30")),
        (at("2027-03-17T08:00"), at("2027-03-18T10:00")),
    ]


def test_overlapping_and_duplicated_periods_kept_as_given_and_sorted() -> None:
    """Duplicates and overlaps are not merged here; output is sorted by (start, end, kind)."""
    data = ics(
        *vfb(
            "FREEBUSY;FBTYPE=BUSY-TENTATIVE:20270316T140000Z/20270316T150000Z",
            "FREEBUSY:20270316T140000Z/20270316T150000Z",
            "FREEBUSY:20270316T120000Z/20270316T160000Z",
            "FREEBUSY:20270316T140000Z/20270316T150000Z",
        )
    )
    (part,) = load(data)
    assert [(b.start.hour, b.end.hour, b.kind.value) for b in part.busy] == [
        (12, 16, "busy"),
        (14, 15, "busy"),
        (14, 15, "busy"),
        (14, 15, "tentative"),
    ]


def test_floating_period_without_zone_is_an_error() -> None:
    """A floating FREEBUSY time (invalid per RFC 5545) without a caller zone is refused."""
    data = ics(*vfb("FREEBUSY:20270316T090000/20270316T100000"))
    with pytest.raises(AdapterError) as info:
        load(data)
    assert info.value.where == "VFREEBUSY[0].FREEBUSY[0]"
    assert info.value.value == "20270316T090000"
    assert "floating" in info.value.reason


def test_floating_period_with_caller_zone_is_a_logged_repair(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """With timezone= a floating period is read in that zone and recorded as a repair."""
    data = ics(*vfb("FREEBUSY:20270316T090000/PT1H", "FREEBUSY:20270316T120000Z/PT1H"))
    with caplog.at_level(logging.WARNING, logger="bridge_sched"):
        (part,) = load(data, timezone="Europe/Berlin")
    # 09:00 CET (UTC+1; Berlin moves to CEST on 2027-03-28) is 08:00Z.
    assert [(b.start, b.end) for b in part.busy] == [
        (at("2027-03-16T08:00"), at("2027-03-16T09:00")),
        (at("2027-03-16T12:00"), at("2027-03-16T13:00")),
    ]
    assert any("Europe/Berlin" in r and "floating" in r for r in part.provenance.repairs)
    assert "floating" in caplog.text


def test_coverage_is_vfreebusy_span_within_window_and_periods_are_clipped() -> None:
    """Coverage = DTSTART/DTEND intersected with the window; periods are clipped to it."""
    data = ics(
        *vfb(
            "DTSTART:20270310T000000Z",
            "DTEND:20270317T000000Z",
            "FREEBUSY:20270314T220000Z/20270315T020000Z",
            "FREEBUSY:20270316T230000Z/20270317T010000Z",
            "FREEBUSY:20270318T100000Z/20270318T110000Z",
        )
    )
    (part,) = load(data)
    assert part.coverage == Window(start=at("2027-03-15T00:00"), end=at("2027-03-17T00:00"))
    assert [(b.start, b.end) for b in part.busy] == [
        (at("2027-03-15T00:00"), at("2027-03-15T02:00")),
        (at("2027-03-16T23:00"), at("2027-03-17T00:00")),
    ]


def test_no_span_means_window_coverage_and_span_outside_window_gives_no_part() -> None:
    """Without DTSTART/DTEND coverage is the window; a span that misses the window is dropped."""
    (part,) = load(ics(*vfb("FREEBUSY:20270316T140000Z/PT1H")))
    assert part.coverage == WINDOW
    old = ics(*vfb("DTSTART:20200101T000000Z", "DTEND:20200102T000000Z"))
    assert load(old) == ()


def test_accounts_from_attendee_caller_or_file_name() -> None:
    """ATTENDEE names the part (mailto lower-cased); else the caller's account; else the file."""
    data = ics(
        *vfb("ATTENDEE;CN=Dara:MAILTO:Dara@example.net", "FREEBUSY:20270316T140000Z/PT1H"),
        *vfb("FREEBUSY:20270317T140000Z/PT1H"),
    )
    parts = load(data)
    assert [p.account for p in parts] == ["dara.ics", "mailto:Dara@example.net"]
    parts = load(data, account="cal-42")
    assert [p.account for p in parts] == ["cal-42", "mailto:Dara@example.net"]


def test_one_part_per_account_gap_between_spans_is_unknown() -> None:
    """VFREEBUSY of one account make one part; time between disjoint spans is ``unknown``."""
    data = ics(
        *vfb(
            "DTSTART:20270315T000000Z", "DTEND:20270316T000000Z", "FREEBUSY:20270315T100000Z/PT1H"
        ),
        *vfb(
            "DTSTART:20270316T000000Z", "DTEND:20270317T000000Z", "FREEBUSY:20270316T100000Z/PT1H"
        ),
        *vfb(
            "DTSTART:20270318T000000Z", "DTEND:20270319T000000Z", "FREEBUSY:20270318T100000Z/PT1H"
        ),
    )
    (part,) = load(data)
    assert part.coverage == Window(start=at("2027-03-15T00:00"), end=at("2027-03-19T00:00"))
    assert [(b.start, b.end, b.kind) for b in part.busy] == [
        (at("2027-03-15T10:00"), at("2027-03-15T11:00"), BusyKind.busy),
        (at("2027-03-16T10:00"), at("2027-03-16T11:00"), BusyKind.busy),
        (at("2027-03-17T00:00"), at("2027-03-18T00:00"), BusyKind.unknown),
        (at("2027-03-18T10:00"), at("2027-03-18T11:00"), BusyKind.busy),
    ]


def test_several_attendees_is_an_error() -> None:
    """A VFREEBUSY naming two ATTENDEEs cannot be attributed and is refused."""
    data = ics(*vfb("ATTENDEE:mailto:a@example.net", "ATTENDEE:mailto:b@example.net"))
    with pytest.raises(AdapterError) as info:
        load(data)
    assert info.value.where == "VFREEBUSY[0].ATTENDEE"
    assert info.value.value == "2"


def test_request_vfreebusy_is_skipped() -> None:
    """A METHOD:REQUEST VFREEBUSY asks for free/busy and says nothing about it."""
    data = ics(*vfb("DTSTART:20270315T000000Z", "DTEND:20270316T000000Z"), method="REQUEST")
    assert load(data) == ()


def test_file_without_freebusy_is_an_error() -> None:
    """A file with only VEVENTs is not a free/busy file."""
    data = ics(
        "BEGIN:VEVENT",
        "UID:e1",
        "DTSTAMP:20270314T000000Z",
        "DTSTART:20270316T140000Z",
        "DTEND:20270316T150000Z",
        "END:VEVENT",
    )
    with pytest.raises(AdapterError, match="no VFREEBUSY or VAVAILABILITY"):
        load(data)


def test_period_ending_before_start_is_an_error() -> None:
    """A period whose end is before its start is refused (by the parser, with the file name)."""
    with pytest.raises(AdapterError) as info:
        load(ics(*vfb("FREEBUSY:20270316T150000Z/20270316T140000Z")))
    assert info.value.source == "dara.ics"


def test_date_dtstart_in_vfreebusy_is_an_error() -> None:
    """A DATE DTSTART where RFC 5545 requires a UTC date-time is refused."""
    with pytest.raises(AdapterError) as info:
        load(ics(*vfb("DTSTART;VALUE=DATE:20270315")))
    assert info.value.where == "VFREEBUSY[0].DTSTART"


# ---------------------------------------------------------------------------
# VAVAILABILITY
# ---------------------------------------------------------------------------


def vav(*lines: str, available: list[list[str]]) -> list[str]:
    """A VAVAILABILITY with AVAILABLE subcomponents."""
    out = ["BEGIN:VAVAILABILITY", "UID:av", "DTSTAMP:20270101T000000Z", *lines]
    for index, block in enumerate(available):
        out += ["BEGIN:AVAILABLE", f"UID:a{index}", "DTSTAMP:20270101T000000Z", *block]
        out.append("END:AVAILABLE")
    return [*out, "END:VAVAILABILITY"]


WEEKDAYS_NY = [
    "DTSTART;TZID=America/New_York:20270301T090000",
    "DTEND;TZID=America/New_York:20270301T170000",
    "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
]


def test_weekly_available_across_dst_keeps_local_hours() -> None:
    """Mon-Fri 09-17 New York: 14:00Z before the 2027-03-14 DST start, 13:00Z after."""
    window = Window(start=at("2027-03-12T00:00"), end=at("2027-03-16T00:00"))
    (part,) = load(ics(*vav(available=[WEEKDAYS_NY])), window=window)
    assert part.busy == ()
    assert part.coverage == window
    assert [(w.start, w.end) for w in part.availability] == [
        (at("2027-03-12T14:00"), at("2027-03-12T22:00")),  # Fri 09:00 EST (UTC-5)
        (at("2027-03-15T13:00"), at("2027-03-15T21:00")),  # Mon 09:00 EDT (UTC-4)
    ]


def test_zone_switch_between_blocks_and_open_ended_last_block() -> None:
    """London hours until 2027-03-17 03:00, then Tokyo hours with no end (open-ended)."""
    data = ics(
        *vav(
            "DTSTART;TZID=Europe/London:20270301T000000",
            "DTEND;TZID=Europe/London:20270317T030000",
            available=[
                [
                    "DTSTART;TZID=Europe/London:20270301T090000",
                    "DTEND;TZID=Europe/London:20270301T170000",
                    "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
                ]
            ],
        ),
        *vav(
            "DTSTART;TZID=Asia/Tokyo:20270317T120000",
            available=[
                [
                    "DTSTART;TZID=Asia/Tokyo:20270317T090000",
                    "DTEND;TZID=Asia/Tokyo:20270317T170000",
                    "RRULE:FREQ=DAILY",
                ]
            ],
        ),
    )
    window = Window(start=at("2027-03-16T00:00"), end=at("2027-03-19T00:00"))
    (part,) = load(data, window=window)
    # Tokyo 2027-03-17 12:00 JST is 03:00Z, exactly where London 03:00 GMT ends: no seam.
    assert part.coverage == window
    assert part.provenance.repairs == ()
    assert [(w.start, w.end) for w in part.availability] == [
        (at("2027-03-16T09:00"), at("2027-03-16T17:00")),  # London 09-17 GMT
        (at("2027-03-17T03:00"), at("2027-03-17T08:00")),  # Tokyo 12-17 JST (range starts 12:00)
        (at("2027-03-18T00:00"), at("2027-03-18T08:00")),  # Tokyo 09-17 JST, open-ended block
    ]


def test_busytype_tentative_is_available_and_tentative() -> None:
    """BUSYTYPE=BUSY-TENTATIVE time outside AVAILABLE is listed as tentative, not out of hours."""
    data = ics(
        *vav(
            "DTSTART:20270316T000000Z",
            "DTEND:20270317T000000Z",
            "BUSYTYPE:BUSY-TENTATIVE",
            available=[["DTSTART:20270316T090000Z", "DTEND:20270316T170000Z"]],
        )
    )
    (part,) = load(data)
    assert part.coverage == Window(start=at("2027-03-16T00:00"), end=at("2027-03-17T00:00"))
    assert [(w.start, w.end) for w in part.availability] == [
        (at("2027-03-16T00:00"), at("2027-03-17T00:00"))
    ]
    assert [(b.start, b.end, b.kind) for b in part.busy] == [
        (at("2027-03-16T00:00"), at("2027-03-16T09:00"), BusyKind.tentative),
        (at("2027-03-16T17:00"), at("2027-03-17T00:00"), BusyKind.tentative),
    ]


def test_higher_priority_block_wins_the_overlap() -> None:
    """PRIORITY 1 beats an undefined (0) priority where both ranges overlap."""
    data = ics(
        *vav(
            "DTSTART:20270315T000000Z",
            "DTEND:20270320T000000Z",
            available=[["DTSTART:20270315T090000Z", "DTEND:20270315T170000Z", "RRULE:FREQ=DAILY"]],
        ),
        *vav(
            "DTSTART:20270317T000000Z",
            "DTEND:20270318T000000Z",
            "PRIORITY:1",
            available=[["DTSTART:20270317T120000Z", "DTEND:20270317T130000Z"]],
        ),
    )
    (part,) = load(data)
    days = [(w.start, w.end) for w in part.availability if w.start.day == 17]
    assert days == [(at("2027-03-17T12:00"), at("2027-03-17T13:00"))]
    assert len(part.availability) == 5


def test_exdate_and_seam_between_ranges() -> None:
    """EXDATE removes one occurrence; uncovered time between ranges is out of hours (repair)."""
    data = ics(
        *vav(
            "DTSTART:20270315T000000Z",
            "DTEND:20270316T000000Z",
            available=[
                [
                    "DTSTART:20270315T090000Z",
                    "DTEND:20270315T100000Z",
                    "RRULE:FREQ=HOURLY;COUNT=3",
                    "EXDATE:20270315T100000Z",
                ]
            ],
        ),
        *vav(
            "DTSTART:20270317T000000Z",
            "DTEND:20270318T000000Z",
            available=[["DTSTART:20270317T090000Z", "DURATION:PT2H"]],
        ),
    )
    (part,) = load(data)
    assert [(w.start, w.end) for w in part.availability] == [
        (at("2027-03-15T09:00"), at("2027-03-15T10:00")),
        (at("2027-03-15T11:00"), at("2027-03-15T12:00")),
        (at("2027-03-17T09:00"), at("2027-03-17T11:00")),
    ]
    assert any("1440 min between ranges" in r for r in part.provenance.repairs)


def test_dtstart_outside_its_rule_is_not_available() -> None:
    """A Sunday DTSTART of a Mon-Fri rule is not counted (RFC 5545: undefined), logged."""
    data = ics(
        *vav(
            available=[
                [
                    "DTSTART;TZID=America/New_York:20270314T090000",
                    "DTEND;TZID=America/New_York:20270314T170000",
                    "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
                ]
            ]
        )
    )
    window = Window(start=at("2027-03-14T00:00"), end=at("2027-03-16T00:00"))
    (part,) = load(data, window=window)
    assert [(w.start, w.end) for w in part.availability] == [
        (at("2027-03-15T13:00"), at("2027-03-15T21:00"))
    ]
    assert any("not an occurrence of its RRULE" in r for r in part.provenance.repairs)


def test_available_unknown_tzid_is_an_error() -> None:
    """An AVAILABLE whose TZID no one defines is refused, naming the TZID."""
    data = ics(
        *vav(
            available=[
                [
                    "DTSTART;TZID=Mars/Olympus:20270315T090000",
                    "DTEND;TZID=Mars/Olympus:20270315T170000",
                ]
            ]
        )
    )
    with pytest.raises(AdapterError) as info:
        load(data)
    assert info.value.value == "Mars/Olympus"


def test_vfreebusy_and_vavailability_of_one_account_make_one_part() -> None:
    """Busy periods and available stretches of the same account land in one part."""
    data = ics(
        *vfb("ATTENDEE:mailto:dara@example.net", "FREEBUSY:20270316T140000Z/PT1H"),
        *vav(available=[WEEKDAYS_NY]),
    )
    (part,) = load(data, account="mailto:dara@example.net")
    assert part.account == "mailto:dara@example.net"
    assert [(b.start, b.end) for b in part.busy] == [
        (at("2027-03-16T14:00"), at("2027-03-16T15:00"))
    ]
    assert part.availability is not None
    assert (at("2027-03-16T13:00"), at("2027-03-16T21:00")) in [
        (w.start, w.end) for w in part.availability
    ]
    other = load(data)  # no caller account: the VAVAILABILITY part is the file's
    assert [p.account for p in other] == ["dara.ics", "mailto:dara@example.net"]


# ---------------------------------------------------------------------------
# Privacy
# ---------------------------------------------------------------------------

CANARY = "CANARY-7f3a"


def canary_file(*, broken: bool = False) -> bytes:
    """VFREEBUSY + VAVAILABILITY with a canary in every free-text place."""
    period = "20270316T140000/PT1H" if broken else "20270316T140000Z/PT1H"
    return ics(
        *vfb(
            f"ORGANIZER;CN={CANARY} Org:mailto:org@example.net",
            f"ATTENDEE;CN={CANARY} Att:mailto:att@example.net",
            f"COMMENT:{CANARY} comment",
            f"SUMMARY:{CANARY} summary",
            f"LOCATION:{CANARY} room",
            f"DESCRIPTION:{CANARY} description",
            f"CONTACT:{CANARY} contact",
            f"FREEBUSY:{period}",
        ),
        *vav(
            f"ORGANIZER;CN={CANARY}:mailto:org@example.net",
            f"SUMMARY:{CANARY} plan",
            f"DESCRIPTION:{CANARY} desc",
            f"LOCATION:{CANARY} city",
            f"COMMENT:{CANARY} c",
            available=[[*WEEKDAYS_NY, f"SUMMARY:{CANARY} s", f"LOCATION:{CANARY} l"]],
        ),
    )


def test_privacy_canary_never_reaches_parts_logs_or_errors(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Canary text in SUMMARY/LOCATION/DESCRIPTION/CN/COMMENT/CONTACT appears nowhere."""
    with caplog.at_level(logging.DEBUG):
        parts = load(canary_file())
        assert len(parts) == 2  # the attendee's busy time, the file's availability
        for part in parts:
            assert CANARY not in part.model_dump_json()
            assert CANARY not in repr(part)
        with pytest.raises(AdapterError) as info:
            load(canary_file(broken=True))
    assert CANARY not in str(info.value)
    assert CANARY not in info.value.value
    assert CANARY not in caplog.text
    assert "mailto:att@example.net" not in caplog.text
