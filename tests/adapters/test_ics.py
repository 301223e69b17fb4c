"""The iCalendar adapter on small synthetic calendars written inline."""

from __future__ import annotations

import datetime as dt
import logging
import time

import pytest

from bridge_sched.adapters import ics
from bridge_sched.errors import AdapterError
from bridge_sched.model import BusyKind, Window

from .conftest import FETCHED

UTC = dt.timezone.utc
B, T, OOF = BusyKind.busy, BusyKind.tentative, BusyKind.out_of_office


def u(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def w(start: str, end: str) -> Window:
    return Window(start=u(start), end=u(end))


def cal(*events: str, head: str = "") -> str:
    """A VCALENDAR around VEVENT bodies (CRLF line endings)."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN"]
    if head:
        lines += head.strip().splitlines()
    for body in events:
        lines += ["BEGIN:VEVENT", *body.strip().splitlines(), "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "\r\n".join(line.strip() for line in lines) + "\r\n"


def busy(
    text: str | bytes, window: Window, **kw: str
) -> list[tuple[dt.datetime, dt.datetime, BusyKind]]:
    data = text.encode() if isinstance(text, str) else text
    part = ics.load(data, window=window, fetched_at=FETCHED, name="t.ics", **kw)
    return [(b.start, b.end, b.kind) for b in part.busy]


MARCH = w("2027-03-01", "2027-04-15")


# ---------------------------------------------------------------------------
# Recurrence and zones
# ---------------------------------------------------------------------------


def test_weekly_across_dst_berlin() -> None:
    # 10:00 Berlin: 03-18 and 03-25 CET (+1) -> 09:00Z; 04-01 CEST (+2, from 03-28) -> 08:00Z.
    text = cal("""
        UID:a
        DTSTART;TZID=Europe/Berlin:20270318T100000
        DTEND;TZID=Europe/Berlin:20270318T110000
        RRULE:FREQ=WEEKLY;COUNT=3
    """)
    assert busy(text, MARCH) == [
        (u("2027-03-18 09:00"), u("2027-03-18 10:00"), B),
        (u("2027-03-25 09:00"), u("2027-03-25 10:00"), B),
        (u("2027-04-01 08:00"), u("2027-04-01 09:00"), B),
    ]


def test_weekly_across_dst_new_york() -> None:
    # 10:00 New York: 03-08 EST (-5) -> 15:00Z; 03-15 and 03-22 EDT (-4, from 03-14) -> 14:00Z.
    text = cal("""
        UID:a
        DTSTART;TZID=America/New_York:20270308T100000
        DTEND;TZID=America/New_York:20270308T103000
        RRULE:FREQ=WEEKLY;COUNT=3
    """)
    assert busy(text, MARCH) == [
        (u("2027-03-08 15:00"), u("2027-03-08 15:30"), B),
        (u("2027-03-15 14:00"), u("2027-03-15 14:30"), B),
        (u("2027-03-22 14:00"), u("2027-03-22 14:30"), B),
    ]


def test_windows_zone_name_wins_over_embedded_vtimezone() -> None:
    # The embedded "Eastern Standard Time" claims +0100 all year; the Windows id is
    # America/New_York: 2027-03-16 10:00 EDT -> 14:00Z.
    text = cal(
        """
        UID:a
        DTSTART;TZID=Eastern Standard Time:20270316T100000
        DTEND;TZID=Eastern Standard Time:20270316T110000
        """,
        head="""
        BEGIN:VTIMEZONE
        TZID:Eastern Standard Time
        BEGIN:STANDARD
        DTSTART:19700101T000000
        TZOFFSETFROM:+0100
        TZOFFSETTO:+0100
        END:STANDARD
        END:VTIMEZONE
        """,
    )
    assert busy(text, MARCH) == [(u("2027-03-16 14:00"), u("2027-03-16 15:00"), B)]


def test_custom_vtimezone_is_used_for_a_custom_tzid() -> None:
    text = cal(
        """
        UID:a
        DTSTART;TZID=Bridge Zone:20270316T100000
        DTEND;TZID=Bridge Zone:20270316T110000
        """,
        head="""
        BEGIN:VTIMEZONE
        TZID:Bridge Zone
        BEGIN:STANDARD
        DTSTART:19700101T000000
        TZOFFSETFROM:+0530
        TZOFFSETTO:+0530
        END:STANDARD
        END:VTIMEZONE
        """,
    )
    assert busy(text, MARCH) == [(u("2027-03-16 04:30"), u("2027-03-16 05:30"), B)]


def test_range_thisandfuture() -> None:
    # Daily 10:00Z; from 03-03 on every instance moves to 12:00Z and lasts 2 h.
    text = cal(
        """
        UID:s
        DTSTART:20270301T100000Z
        DTEND:20270301T110000Z
        RRULE:FREQ=DAILY;COUNT=5
        """,
        """
        UID:s
        RECURRENCE-ID;RANGE=THISANDFUTURE:20270303T100000Z
        DTSTART:20270303T120000Z
        DTEND:20270303T140000Z
        """,
    )
    assert busy(text, MARCH) == [
        (u("2027-03-01 10:00"), u("2027-03-01 11:00"), B),
        (u("2027-03-02 10:00"), u("2027-03-02 11:00"), B),
        (u("2027-03-03 12:00"), u("2027-03-03 14:00"), B),
        (u("2027-03-04 12:00"), u("2027-03-04 14:00"), B),
        (u("2027-03-05 12:00"), u("2027-03-05 14:00"), B),
    ]


def test_exdate_rdate_and_duration() -> None:
    text = cal("""
        UID:s
        DTSTART;TZID=Europe/London:20270301T090000
        DURATION:PT45M
        RRULE:FREQ=DAILY;COUNT=3
        EXDATE;TZID=Europe/London:20270302T090000
        RDATE;TZID=Europe/London:20270310T160000
    """)
    assert busy(text, MARCH) == [
        (u("2027-03-01 09:00"), u("2027-03-01 09:45"), B),
        (u("2027-03-03 09:00"), u("2027-03-03 09:45"), B),
        (u("2027-03-10 16:00"), u("2027-03-10 16:45"), B),
    ]


def test_all_day_in_x_wr_timezone_and_caller_zone() -> None:
    # Kolkata (+05:30): 2027-03-16 all day -> 03-15 18:30Z .. 03-16 18:30Z.
    text = cal(
        """
        UID:a
        DTSTART;VALUE=DATE:20270316
        DTEND;VALUE=DATE:20270317
        """,
        head="X-WR-TIMEZONE:Asia/Kolkata",
    )
    assert busy(text, MARCH) == [(u("2027-03-15 18:30"), u("2027-03-16 18:30"), B)]
    # The caller's zone wins: Tokyo (+9) -> 03-15 15:00Z .. 03-16 15:00Z.
    assert busy(text, MARCH, timezone="Asia/Tokyo") == [
        (u("2027-03-15 15:00"), u("2027-03-16 15:00"), B)
    ]
    part = ics.load(text.encode(), window=MARCH, fetched_at=FETCHED, timezone="Asia/Tokyo")
    assert part.timezone == "Asia/Kolkata"


def test_all_day_without_zone_is_refused() -> None:
    text = cal("""
        UID:a
        DTSTART;VALUE=DATE:20270316
    """)
    with pytest.raises(AdapterError, match=r"^t\.ics:line 6 \(DTSTART\)"):
        busy(text, MARCH)


def test_floating_with_caller_zone() -> None:
    # 09:00 floating in America/Chicago (CDT -5 on 03-16) -> 14:00Z.
    text = cal("""
        UID:a
        DTSTART:20270316T090000
        DTEND:20270316T100000
    """)
    assert busy(text, MARCH, timezone="America/Chicago") == [
        (u("2027-03-16 14:00"), u("2027-03-16 15:00"), B)
    ]


def test_floating_without_zone_is_refused() -> None:
    text = cal("""
        UID:a
        DTSTART:20270316T090000
        DTEND:20270316T100000
    """)
    with pytest.raises(AdapterError) as err:
        busy(text, MARCH)
    assert str(err.value).startswith("t.ics:line 6 (DTSTART):")
    assert "floating" in str(err.value)


def test_caller_zone_must_be_iana() -> None:
    with pytest.raises(AdapterError, match="timezone"):
        busy(cal("UID:a\nDTSTART:20270316T090000Z"), MARCH, timezone="Mars/Olympus")


# ---------------------------------------------------------------------------
# Kinds
# ---------------------------------------------------------------------------


def _one(extra: str) -> str:
    return cal(f"""
        UID:k
        DTSTART:20270316T090000Z
        DTEND:20270316T100000Z
        {extra}
    """)


@pytest.mark.parametrize(
    ("extra", "kind"),
    [
        ("", B),
        ("TRANSP:OPAQUE", B),
        ("TRANSP:TRANSPARENT", None),
        ("STATUS:CANCELLED", None),
        ("STATUS:TENTATIVE", T),
        ("STATUS:CONFIRMED", B),
        ("X-MICROSOFT-CDO-BUSYSTATUS:FREE", None),
        ("X-MICROSOFT-CDO-BUSYSTATUS:TENTATIVE", T),
        ("X-MICROSOFT-CDO-BUSYSTATUS:OOF", OOF),
        ("X-MICROSOFT-CDO-BUSYSTATUS:BUSY", B),
        ("X-MICROSOFT-CDO-BUSYSTATUS:WORKINGELSEWHERE", B),
        # CDO wins over TRANSP (both directions) and over STATUS:TENTATIVE ...
        ("TRANSP:TRANSPARENT\nX-MICROSOFT-CDO-BUSYSTATUS:BUSY", B),
        ("TRANSP:OPAQUE\nX-MICROSOFT-CDO-BUSYSTATUS:FREE", None),
        ("TRANSP:OPAQUE\nX-MICROSOFT-CDO-BUSYSTATUS:TENTATIVE", T),
        ("STATUS:TENTATIVE\nX-MICROSOFT-CDO-BUSYSTATUS:OOF", OOF),
        # ... but never over CANCELLED.
        ("STATUS:CANCELLED\nX-MICROSOFT-CDO-BUSYSTATUS:BUSY", None),
    ],
)
def test_kinds(extra: str, kind: BusyKind | None) -> None:
    got = busy(_one(extra), MARCH)
    if kind is None:
        assert got == []
    else:
        assert got == [(u("2027-03-16 09:00"), u("2027-03-16 10:00"), kind)]


def test_cancelled_override_and_zero_length() -> None:
    text = cal(
        """
        UID:s
        DTSTART:20270301T100000Z
        DTEND:20270301T110000Z
        RRULE:FREQ=DAILY;COUNT=3
        """,
        """
        UID:s
        RECURRENCE-ID:20270302T100000Z
        DTSTART:20270302T100000Z
        DTEND:20270302T110000Z
        STATUS:CANCELLED
        """,
        """
        UID:z
        DTSTART:20270305T100000Z
        DTEND:20270305T100000Z
        """,
        """
        UID:y
        DTSTART:20270306T100000Z
        """,
    )
    assert busy(text, MARCH) == [
        (u("2027-03-01 10:00"), u("2027-03-01 11:00"), B),
        (u("2027-03-03 10:00"), u("2027-03-03 11:00"), B),
    ]


# ---------------------------------------------------------------------------
# Window, caps
# ---------------------------------------------------------------------------


def test_endless_rule_bounded_by_window() -> None:
    text = cal("""
        UID:e
        DTSTART;TZID=Europe/Berlin:20000103T080000
        DTEND;TZID=Europe/Berlin:20000103T083000
        RRULE:FREQ=DAILY
    """)
    got = busy(text, w("2027-03-15", "2027-03-22"))
    assert len(got) == 7
    assert got[0] == (u("2027-03-15 07:00"), u("2027-03-15 07:30"), B)
    # an instance overlapping the window start is kept with its real times
    got = busy(text, w("2027-03-15 07:15", "2027-03-15 09:00"))
    assert got == [(u("2027-03-15 07:00"), u("2027-03-15 07:30"), B)]


def test_secondly_rule_is_refused_quickly() -> None:
    text = cal("""
        UID:s
        DTSTART:20270101T000000Z
        DTEND:20270101T000001Z
        RRULE:FREQ=SECONDLY
    """)
    began = time.monotonic()
    with pytest.raises(AdapterError) as err:
        busy(text, w("2027-01-01", "2028-01-01"))
    assert time.monotonic() - began < 2.0
    assert str(err.value).startswith("t.ics:line 8 (RRULE):")
    assert str(ics.MAX_INSTANCES) in str(err.value)


def test_secondly_rule_with_count_is_fine() -> None:
    text = cal("""
        UID:s
        DTSTART:20270316T000000Z
        DTEND:20270316T000001Z
        RRULE:FREQ=SECONDLY;COUNT=3
    """)
    assert len(busy(text, MARCH)) == 3


def test_dense_rule_from_long_ago_is_refused() -> None:
    # Few instances in the window, but the expander would walk every minute since 1990.
    text = cal("""
        UID:s
        DTSTART:19900101T000000Z
        DTEND:19900101T000030Z
        RRULE:FREQ=MINUTELY;BYHOUR=3
    """)
    with pytest.raises(AdapterError, match=r"line 8 \(RRULE\)"):
        busy(text, w("2027-03-16", "2027-03-17"))


# ---------------------------------------------------------------------------
# Broken input
# ---------------------------------------------------------------------------


def test_unknown_tzid_names_tzid_and_line() -> None:
    text = cal("""
        UID:a
        DTSTART;TZID=Atlantis/Poseidonia:20270316T090000
        DTEND;TZID=Atlantis/Poseidonia:20270316T100000
    """)
    with pytest.raises(AdapterError) as err:
        busy(text, MARCH)
    assert err.value.source == "t.ics"
    assert err.value.where == "line 6 (DTSTART)"
    assert err.value.value == "Atlantis/Poseidonia"


def test_truncated_file() -> None:
    text = cal("UID:a\nDTSTART:20270316T090000Z\nDTEND:20270316T100000Z")
    cut = text[: text.index("END:VEVENT")]
    with pytest.raises(AdapterError) as err:
        busy(cut, MARCH)
    assert str(err.value).startswith("t.ics:line 7:")
    assert "truncated" in str(err.value)
    assert "opened at line 4" in str(err.value)


def test_no_vcalendar_and_mismatched_end() -> None:
    with pytest.raises(AdapterError, match=r"^t\.ics:line 1:"):
        busy("hello world\r\n", MARCH)
    with pytest.raises(AdapterError, match=r"^t\.ics:line 1:"):
        busy("", MARCH)
    text = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"
    with pytest.raises(AdapterError, match=r"^t\.ics:line 3:"):
        busy(text, MARCH)


def test_malformed_time_property_line_is_refused() -> None:
    text = cal("UID:a\nDTSTART;TZID=Europe/Berlin\nDTEND:20270316T100000Z")
    with pytest.raises(AdapterError, match=r"^t\.ics:line 6:"):
        busy(text, MARCH)


def test_malformed_text_property_line_is_dropped_with_repair() -> None:
    text = cal("UID:a\nORGANIZER;CN=Somebody\nDTSTART:20270316T090000Z\nDTEND:20270316T100000Z")
    part = ics.load(text.encode(), window=MARCH, fetched_at=FETCHED, name="t.ics")
    assert len(part.busy) == 1
    assert part.provenance.repairs == (
        "line 6: malformed ORGANIZER line dropped (not a time property)",
    )


def test_line_endings_bom_folding_and_concatenated_calendars() -> None:
    one = cal("UID:a\nDTSTART:20270316T090000Z\nDTEND:20270316T100000Z")
    two = cal("UID:b\nDTSTART:20270317T090000Z\nDTEND:20270317T100000Z")
    expect = [
        (u("2027-03-16 09:00"), u("2027-03-16 10:00"), B),
        (u("2027-03-17 09:00"), u("2027-03-17 10:00"), B),
    ]
    both = one + two
    for variant in (both, both.replace("\r\n", "\n"), both.replace("\r\n", "\r")):
        assert busy(b"\xef\xbb\xbf" + variant.encode(), MARCH) == expect
    folded = both.replace("DTSTART:20270316T090000Z", "DTSTART:2027031\r\n 6T090000Z")
    assert busy(folded, MARCH) == expect
    assert len(ics.parse_calendars(both, "t.ics")) == 2


def test_zone_resolver() -> None:
    calendars = ics.parse_calendars(
        cal(
            "UID:a\nDTSTART:20270316T090000Z",
            head="""
            BEGIN:VTIMEZONE
            TZID:Europe/Berlin
            BEGIN:STANDARD
            DTSTART:19700101T000000
            TZOFFSETFROM:+0700
            TZOFFSETTO:+0700
            END:STANDARD
            END:VTIMEZONE
            """,
        ),
        "t.ics",
    )
    zones = ics.ZoneResolver(calendars, "t.ics", "Asia/Kolkata")
    local = dt.datetime(2027, 3, 16, 10, 0)
    # IANA name wins over the (wrong) embedded definition: CET (+1) -> 09:00Z.
    assert zones.to_utc(local, "Europe/Berlin", "line 9") == u("2027-03-16 09:00")
    assert zones.to_utc(local, '"W. Europe Standard Time"', "x") == u("2027-03-16 09:00")
    assert zones.to_utc(local, None, "x") == u("2027-03-16 04:30")
    assert zones.to_utc(dt.date(2027, 3, 16), None, "x") == u("2027-03-15 18:30")
    assert zones.to_utc(local.replace(tzinfo=UTC), None, "x") == u("2027-03-16 10:00")
    assert zones.repairs and "W. Europe Standard Time" in zones.repairs[0]
    with pytest.raises(AdapterError, match=r"^t\.ics:line 12:.*'Nowhere'"):
        zones.to_utc(local, "Nowhere", "line 12")
    # DST gap: 02:30 on 2027-03-14 in New York does not exist -> moved forward (07:30Z).
    assert zones.to_utc(dt.datetime(2027, 3, 14, 2, 30), "America/New_York", "x") == u(
        "2027-03-14 07:30"
    )


def test_output_sorted_and_deterministic() -> None:
    text = cal(
        "UID:b\nDTSTART:20270317T090000Z\nDTEND:20270317T100000Z",
        "UID:a\nDTSTART:20270316T090000Z\nDTEND:20270316T110000Z\nSTATUS:TENTATIVE",
        "UID:c\nDTSTART:20270316T090000Z\nDTEND:20270316T100000Z",
    )
    first = ics.load(text.encode(), window=MARCH, fetched_at=FETCHED, name="t.ics")
    again = ics.load(text.encode(), window=MARCH, fetched_at=FETCHED, name="t.ics")
    assert first.model_dump_json() == again.model_dump_json()
    assert [(b.start, b.end, b.kind) for b in first.busy] == [
        (u("2027-03-16 09:00"), u("2027-03-16 10:00"), B),
        (u("2027-03-16 09:00"), u("2027-03-16 11:00"), T),
        (u("2027-03-17 09:00"), u("2027-03-17 10:00"), B),
    ]
    assert first.account == "t.ics"
    assert first.provenance.name == "t.ics"


# ---------------------------------------------------------------------------
# Privacy
# ---------------------------------------------------------------------------

CANARIES = [
    "CANARY-SUMMARY-91f",
    "CANARY-LOCATION-4c2",
    "CANARY-DESCRIPTION-e07",
    "CANARY-ATTENDEE-5ab",
    "CANARY-ORGANIZER-d13",
    "CANARY-COMMENT-77e",
    "CANARY-CONTACT-2f9",
    "CANARY-URL-b80",
    "CANARY-XTEXT-a6d",
    "CANARY-CALNAME-0c4",
]


def _canary_calendar(broken: str = "") -> str:
    return cal(
        f"""
        UID:canary
        SUMMARY:CANARY-SUMMARY-91f
        LOCATION:CANARY-LOCATION-4c2
        DESCRIPTION:CANARY-DESCRIPTION-e07
        ATTENDEE;CN=CANARY-ATTENDEE-5ab:mailto:a@example.com
        ORGANIZER;CN=CANARY-ORGANIZER-d13:mailto:o@example.com
        COMMENT:CANARY-COMMENT-77e
        CONTACT:CANARY-CONTACT-2f9
        URL:https://example.com/CANARY-URL-b80
        CLASS:PRIVATE
        X-ALT-DESC:CANARY-XTEXT-a6d
        DTSTART;TZID=Europe/Berlin:20270316T100000
        DTEND;TZID=Europe/Berlin:20270316T110000
        RRULE:FREQ=WEEKLY;COUNT=2
        {broken}
        """,
        head="X-WR-CALNAME:CANARY-CALNAME-0c4",
    )


@pytest.mark.parametrize(
    "broken",
    [
        "EXDATE;TZID=CANARY-TZ:20270323T100000",  # unknown TZID (the TZID is echoed, by design)
        "DTEND;VALUE=DATE:CANARY-SUMMARY-91f",
        "RRULE:FREQ=SECONDLY",
        "CANARY-SUMMARY-91f continued without fold",
        "SUMMARY:CANARY-SUMMARY-91f\nEND:VCALENDAR",
    ],
)
def test_privacy_canary(broken: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    part = ics.load(
        _canary_calendar().encode(), window=MARCH, fetched_at=FETCHED, name="canary.ics"
    )
    assert len(part.busy) == 2
    with pytest.raises(AdapterError) as err:
        ics.load(
            _canary_calendar(broken).encode(), window=MARCH, fetched_at=FETCHED, name="canary.ics"
        )
    message = str(err.value) + repr(err.value) + err.value.value
    texts = [part.model_dump_json(), repr(part), caplog.text, message]
    for canary in CANARIES:
        for text in texts:
            assert canary not in text, (canary, text)
    assert message.startswith("canary.ics:line ")
