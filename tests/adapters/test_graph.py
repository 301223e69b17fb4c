"""Microsoft Graph getSchedule / findMeetingTimes adapter on synthetic bodies."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import pytest

from bridge_sched.adapters import graph
from bridge_sched.errors import AdapterError
from bridge_sched.model import BusyKind, TimeRange, Window

from .conftest import FETCHED

UTC = dt.timezone.utc
CANARIES = (
    "CANARY-SUBJECT-91f",
    "CANARY-LOCATION-2b7",
    "CANARY-NAME-44c",
    "canary.email.7d1@secret.example",
    "+1 555 0199 CANARY",
    "CANARY-REASON-5e0",
)


def z(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def stamp(local: str, zone: str = "W. Europe Standard Time") -> dict[str, str]:
    return {"dateTime": f"{local}.0000000", "timeZone": zone}


def item(status: str, start: str, end: str, **extra: Any) -> dict[str, Any]:
    return {"status": status, "start": stamp(start), "end": stamp(end), **extra}


def body(*infos: dict[str, Any]) -> bytes:
    return json.dumps({"value": list(infos)}).encode()


# 16 Mar 2027: Berlin is on CET (+01:00) until 28 Mar 2027.
WINDOW = Window(start=z("2027-03-16T07:00"), end=z("2027-03-16T17:00"))


def test_statuses_case_insensitive_and_mapped() -> None:
    info = {
        "scheduleId": "dara@northwind.example",
        "scheduleItems": [
            item("Busy", "2027-03-16T09:00:00", "2027-03-16T10:00:00"),
            item("TENTATIVE", "2027-03-16T10:00:00", "2027-03-16T11:00:00"),
            item("oof", "2027-03-16T11:00:00", "2027-03-16T12:00:00"),
            item("unknown", "2027-03-16T12:00:00", "2027-03-16T13:00:00"),
            item("free", "2027-03-16T13:00:00", "2027-03-16T14:00:00"),
            item("workingElsewhere", "2027-03-16T14:00:00", "2027-03-16T15:00:00"),
        ],
    }
    (part,) = graph.load_schedule(body(info), fetched_at=FETCHED, window=WINDOW)
    # 09:00 CET = 08:00Z, ...; free and workingElsewhere are not busy.
    assert [(b.start.hour, b.kind) for b in part.busy] == [
        (8, BusyKind.busy),
        (9, BusyKind.tentative),
        (10, BusyKind.out_of_office),
        (11, BusyKind.unknown),
    ]
    assert part.provenance.name == "graph-getSchedule.json"


def test_items_clipped_to_window_and_sorted() -> None:
    info = {
        "scheduleId": "dara@northwind.example",
        "scheduleItems": [
            item("busy", "2027-03-16T15:00:00", "2027-03-16T19:00:00"),
            item("busy", "2027-03-16T06:00:00", "2027-03-16T09:00:00"),
            item("busy", "2027-03-16T19:00:00", "2027-03-16T20:00:00"),  # after the window
        ],
    }
    (part,) = graph.load_schedule(body(info), fetched_at=FETCHED, window=WINDOW)
    assert [(b.start, b.end) for b in part.busy] == [
        (z("2027-03-16T07:00"), z("2027-03-16T08:00")),
        (z("2027-03-16T14:00"), z("2027-03-16T17:00")),
    ]
    assert part.coverage == WINDOW


def test_offset_datetime_and_iana_and_utc_zones() -> None:
    info = {
        "scheduleId": "x@northwind.example",
        "scheduleItems": [
            {
                "status": "busy",
                "start": {"dateTime": "2027-03-16T09:00:00", "timeZone": "UTC"},
                "end": {"dateTime": "2027-03-16T05:30:00", "timeZone": "America/New_York"},
            },
            {
                "status": "busy",
                "start": {"dateTime": "2027-03-16T12:00:00+01:00"},
                "end": {"dateTime": "2027-03-16T13:00:00Z"},
            },
        ],
    }
    (part,) = graph.load_schedule(body(info), fetched_at=FETCHED)
    # New York is on EDT (-04:00) since 14 Mar 2027: 05:30 -> 09:30Z.
    assert [(b.start, b.end) for b in part.busy] == [
        (z("2027-03-16T09:00"), z("2027-03-16T09:30")),
        (z("2027-03-16T11:00"), z("2027-03-16T13:00")),
    ]
    assert part.coverage is None


def test_naive_datetime_without_zone_names_the_path() -> None:
    info = {
        "scheduleId": "x@northwind.example",
        "scheduleItems": [
            item("busy", "2027-03-16T09:00:00", "2027-03-16T10:00:00"),
            {"status": "busy", "start": {"dateTime": "2027-03-16T09:00:00"}, "end": stamp("x")},
        ],
    }
    with pytest.raises(AdapterError) as info_:
        graph.load_schedule(body({"scheduleId": "a@b.example"}, info), fetched_at=FETCHED)
    assert info_.value.where == "value[1].scheduleItems[1].start.dateTime"
    assert info_.value.value == "2027-03-16T09:00:00"
    assert "without a UTC offset or time zone" in str(info_.value)


@pytest.mark.parametrize(
    ("mutate", "where", "token"),
    [
        (lambda i: i.update(status="maybe"), "value[0].scheduleItems[0].status", "maybe"),
        (
            lambda i: i["start"].update(timeZone="Mars Standard Time"),
            "value[0].scheduleItems[0].start.timeZone",
            "<18 characters>",  # unknown names with spaces are not echoed (could be text)
        ),
        (
            lambda i: i["end"].update(dateTime="2027-03-16T08:00:00"),
            "value[0].scheduleItems[0].end",
            "2027-03-16T08:00:00",
        ),
    ],
)
def test_bad_items(mutate: Any, where: str, token: str) -> None:
    one = item("busy", "2027-03-16T09:00:00", "2027-03-16T10:00:00")
    mutate(one)
    with pytest.raises(AdapterError) as info:
        graph.load_schedule(
            body({"scheduleId": "a@b.example", "scheduleItems": [one]}), fetched_at=FETCHED
        )
    assert info.value.where == where
    assert info.value.value == token


def test_schedule_error_marks_whole_window_unknown(caplog: pytest.LogCaptureFixture) -> None:
    info = {
        "scheduleId": "gone@northwind.example",
        "availabilityView": "",
        "scheduleItems": [],
        "error": {
            "message": "CANARY-NAME-44c was not found",
            "responseCode": "ErrorMailboxNotFound",
        },
    }
    with caplog.at_level(logging.INFO, logger="bridge_sched"):
        (part,) = graph.load_schedule(body(info), fetched_at=FETCHED, window=WINDOW)
    assert [(b.start, b.end, b.kind) for b in part.busy] == [
        (WINDOW.start, WINDOW.end, BusyKind.unknown)
    ]
    assert "ErrorMailboxNotFound" in caplog.text
    assert "CANARY" not in caplog.text
    with pytest.raises(AdapterError, match="needs window"):
        graph.load_schedule(body(info), fetched_at=FETCHED)


def test_view_fallback_without_items_is_recorded(caplog: pytest.LogCaptureFixture) -> None:
    # View from 08:00Z in 30-minute slots: "0220" -> busy 08:30Z-09:30Z.
    info = {"scheduleId": "v@northwind.example", "availabilityView": "0220"}
    with caplog.at_level(logging.WARNING, logger="bridge_sched"):
        (part,) = graph.load_schedule(
            body(info), fetched_at=FETCHED, view_start=z("2027-03-16T08:00"), interval_minutes=30
        )
    assert [(b.start, b.end, b.kind) for b in part.busy] == [
        (z("2027-03-16T08:30"), z("2027-03-16T09:30"), BusyKind.busy)
    ]
    assert part.coverage == Window(start=z("2027-03-16T08:00"), end=z("2027-03-16T10:00"))
    (note,) = part.provenance.repairs
    assert "no scheduleItems" in note and "value[0].availabilityView slots 1-2" in note
    assert "no scheduleItems" in caplog.text


def test_view_busier_than_items_keeps_the_slot() -> None:
    # Items: tentative 09:00-10:00 CET (08:00Z-09:00Z). View from 08:00Z, 60 min: "23" ->
    # slot 0 says busy (items only tentative), slot 1 says oof (items free): both kept.
    info = {
        "scheduleId": "v@northwind.example",
        "availabilityView": "23",
        "scheduleItems": [item("tentative", "2027-03-16T09:00:00", "2027-03-16T10:00:00")],
    }
    (part,) = graph.load_schedule(
        body(info), fetched_at=FETCHED, view_start=z("2027-03-16T08:00"), interval_minutes=60
    )
    assert [(b.start.hour, b.end.hour, b.kind) for b in part.busy] == [
        (8, 9, BusyKind.busy),
        (8, 9, BusyKind.tentative),
        (9, 10, BusyKind.out_of_office),
    ]
    assert len(part.provenance.repairs) == 2
    assert "where scheduleItems do not" in part.provenance.repairs[0]


def test_items_busier_than_view_are_kept_silently() -> None:
    info = {
        "scheduleId": "v@northwind.example",
        "availabilityView": "0",
        "scheduleItems": [item("busy", "2027-03-16T09:15:00", "2027-03-16T09:45:00")],
    }
    (part,) = graph.load_schedule(
        body(info), fetched_at=FETCHED, view_start=z("2027-03-16T08:00"), interval_minutes=60
    )
    assert [b.kind for b in part.busy] == [BusyKind.busy]
    assert part.provenance.repairs == ()


def test_view_arguments_go_together_and_view_must_be_digits() -> None:
    info = {"scheduleId": "v@northwind.example", "availabilityView": "0x"}
    with pytest.raises(AdapterError, match="go together"):
        graph.load_schedule(body(info), fetched_at=FETCHED, view_start=z("2027-03-16T08:00"))
    with pytest.raises(AdapterError, match="naive"):
        graph.load_schedule(
            body(info), fetched_at=FETCHED, view_start=dt.datetime(2027, 3, 16), interval_minutes=30
        )
    with pytest.raises(AdapterError, match="other than 0-4") as err:
        graph.load_schedule(
            body(info), fetched_at=FETCHED, view_start=z("2027-03-16T08:00"), interval_minutes=30
        )
    assert err.value.where == "value[0].availabilityView"


def test_named_working_hours_windows_zone() -> None:
    info = {
        "scheduleId": "jonas@northwind.example",
        "workingHours": {
            "daysOfWeek": ["Monday", "wednesday", "friday"],
            "startTime": "08:30:00.0000000",
            "endTime": "00:00:00.0000000",
            "timeZone": {"name": "W. Europe Standard Time"},
        },
    }
    (part,) = graph.load_schedule(body(info), fetched_at=FETCHED)
    assert part.timezone == "Europe/Berlin"
    assert part.working_hours is not None
    assert part.working_hours.mon == (TimeRange(start="08:30", end="24:00"),)
    assert part.working_hours.tue == ()
    assert part.availability is None


def test_custom_zone_across_the_us_dst_start() -> None:
    # Rules as in Graph's docs: bias 480, DST from the 2nd Sunday of March 02:00 (14 Mar 2027).
    info: dict[str, Any] = {
        "scheduleId": "lee@northwind.example",
        "workingHours": {
            "daysOfWeek": ["friday", "monday"],
            "startTime": "08:00:00.0000000",
            "endTime": "17:00:00.0000000",
            "timeZone": {
                "@odata.type": "#microsoft.graph.customTimeZone",
                "bias": 480,
                "name": "Customized Time Zone",
                "standardOffset": {
                    "time": "02:00:00.0000000",
                    "dayOccurrence": 1,
                    "dayOfWeek": "sunday",
                    "month": 11,
                    "year": 0,
                },
                "daylightOffset": {
                    "daylightBias": -60,
                    "time": "02:00:00.0000000",
                    "dayOccurrence": 2,
                    "dayOfWeek": "sunday",
                    "month": 3,
                    "year": 0,
                },
            },
        },
    }
    window = Window(start=z("2027-03-12T00:00"), end=z("2027-03-16T00:00"))
    (part,) = graph.load_schedule(body(info), fetched_at=FETCHED, window=window)
    assert part.timezone is None and part.working_hours is None
    assert part.availability is not None
    # Fri 12 Mar: UTC-8 -> 16:00Z-01:00Z; Mon 15 Mar: UTC-7 -> 15:00Z-00:00Z (clipped: window end).
    assert [(w.start, w.end) for w in part.availability] == [
        (z("2027-03-12T16:00"), z("2027-03-13T01:00")),
        (z("2027-03-15T15:00"), z("2027-03-16T00:00")),
    ]
    with pytest.raises(AdapterError, match="custom time zone needs window"):
        graph.load_schedule(body(info), fetched_at=FETCHED)
    info["workingHours"]["timeZone"]["name"] = "Pacific Standard Time"  # a known name wins
    (named,) = graph.load_schedule(body(info), fetched_at=FETCHED)
    assert named.timezone == "America/Los_Angeles" and named.availability is None


def test_custom_zone_southern_hemisphere_and_fixed() -> None:
    # Bias -600 (UTC+10), DST (+11) from the 1st Sunday of October to the 1st Sunday of April.
    zone: dict[str, Any] = {
        "bias": -600,
        "name": "Custom Sydney-like",
        "standardOffset": {
            "time": "03:00:00",
            "dayOccurrence": 1,
            "dayOfWeek": "sunday",
            "month": 4,
        },
        "daylightOffset": {
            "daylightBias": -60,
            "time": "02:00:00",
            "dayOccurrence": 1,
            "dayOfWeek": "sunday",
            "month": 10,
        },
    }
    hours = {
        "daysOfWeek": ["tuesday"],
        "startTime": "09:00:00",
        "endTime": "10:00:00",
        "timeZone": zone,
    }
    window = Window(start=z("2027-03-15T00:00"), end=z("2027-03-17T00:00"))
    (part,) = graph.load_schedule(
        body({"scheduleId": "s@northwind.example", "workingHours": hours}),
        fetched_at=FETCHED,
        window=window,
    )
    # Tue 16 Mar 2027 is in daylight time (UTC+11): 09:00 -> 22:00Z on 15 Mar.
    assert part.availability is not None
    assert [(w.start, w.end) for w in part.availability] == [
        (z("2027-03-15T22:00"), z("2027-03-15T23:00"))
    ]
    fixed = {"bias": -330, "name": "Custom IST"}
    hours["timeZone"] = fixed
    (part,) = graph.load_schedule(
        body({"scheduleId": "s@northwind.example", "workingHours": hours}),
        fetched_at=FETCHED,
        window=window,
    )
    # UTC+05:30: 09:00 -> 03:30Z.
    assert part.availability is not None
    assert [(w.start, w.end) for w in part.availability] == [
        (z("2027-03-16T03:30"), z("2027-03-16T04:30"))
    ]


def test_unknown_working_hours_zone_is_an_error() -> None:
    hours = {
        "daysOfWeek": ["monday"],
        "startTime": "09:00:00",
        "endTime": "17:00:00",
        "timeZone": {"name": "Atlantis Time"},
    }
    with pytest.raises(AdapterError) as info:
        graph.load_schedule(
            body({"scheduleId": "s@northwind.example", "workingHours": hours}), fetched_at=FETCHED
        )
    assert info.value.where == "value[0].workingHours.timeZone.name"
    assert info.value.value == "<13 characters>"  # not echoed: could be free text


def test_privacy_canary(caplog: pytest.LogCaptureFixture) -> None:
    info: dict[str, Any] = {
        "scheduleId": "dara@northwind.example",
        "availabilityView": "2",
        "scheduleItems": [
            item(
                "busy",
                "2027-03-16T09:00:00",
                "2027-03-16T10:00:00",
                subject=CANARIES[0],
                location=CANARIES[1],
                isPrivate=True,
                organizer={"name": CANARIES[2], "address": CANARIES[3], "phone": CANARIES[4]},
            )
        ],
        "workingHours": {
            "daysOfWeek": ["monday"],
            "startTime": "09:00:00",
            "endTime": "17:00:00",
            "timeZone": {"name": "Europe/Berlin"},
        },
    }
    with caplog.at_level(logging.DEBUG, logger="bridge_sched"):
        parts = graph.load_schedule(
            body(info), fetched_at=FETCHED, view_start=z("2027-03-16T08:00"), interval_minutes=60
        )
    text = "".join(p.model_dump_json() + repr(p) for p in parts) + caplog.text
    for canary in CANARIES:
        assert canary not in text
    assert "isPrivate" not in text
    # A broken variant: a truncated body cut inside the subject.
    raw = body(info)
    cut = raw[: raw.index(CANARIES[0].encode()) + 8]
    with pytest.raises(AdapterError) as err:
        graph.load_schedule(cut, fetched_at=FETCHED)
    message = str(err.value) + repr(err.value) + err.value.value
    for canary in CANARIES:
        assert canary not in message and canary[:8] not in message
    # Another: a naive start next to the canaries.
    info["scheduleItems"][0]["start"] = {"dateTime": "2027-03-16T09:00:00"}
    with pytest.raises(AdapterError) as err:
        graph.load_schedule(body(info), fetched_at=FETCHED)
    for canary in CANARIES:
        assert canary not in str(err.value)


def test_meeting_times_privacy_canary_and_order(caplog: pytest.LogCaptureFixture) -> None:
    suggestion = {
        "confidence": 49.5,
        "organizerAvailability": "Unknown",
        "suggestionReason": CANARIES[5],
        "attendeeAvailability": [
            {
                "availability": "Busy",
                "attendee": {
                    "type": "Optional",
                    "emailAddress": {"address": "lee@northwind.example", "name": CANARIES[2]},
                },
            }
        ],
        "locations": [{"displayName": CANARIES[1]}],
        "meetingTimeSlot": {
            "start": stamp("2027-03-16T11:00:00"),
            "end": stamp("2027-03-16T11:30:00"),
        },
    }
    early = json.loads(json.dumps(suggestion))
    early["meetingTimeSlot"] = {
        "start": stamp("2027-03-16T09:00:00"),
        "end": stamp("2027-03-16T09:30:00"),
    }
    raw = json.dumps(
        {"emptySuggestionsReason": "", "meetingTimeSuggestions": [suggestion, early]}
    ).encode()
    with caplog.at_level(logging.DEBUG, logger="bridge_sched"):
        result = graph.load_meeting_times(raw, fetched_at=FETCHED, name="fmt.json")
    assert [s.rank for s in result.suggestions] == [1, 2]
    assert result.suggestions[0].start == z("2027-03-16T10:00")  # 11:00 CET
    assert [w.start for w in result.windows()] == [z("2027-03-16T08:00"), z("2027-03-16T10:00")]
    assert result.suggestions[0].organizer_availability == "unknown"
    assert result.suggestions[0].attendees[0].attendee_type == "optional"
    text = result.model_dump_json() + repr(result) + caplog.text
    for canary in CANARIES:
        assert canary not in text
    bad = raw.replace(b'"confidence": 49.5', b'"confidence": 149.5')
    with pytest.raises(AdapterError, match="0-100") as err:
        graph.load_meeting_times(bad, fetched_at=FETCHED)
    for canary in CANARIES:
        assert canary not in str(err.value)
    with pytest.raises(AdapterError, match="emptySuggestionsReason"):
        graph.load_meeting_times(
            b'{"emptySuggestionsReason": "weather", "meetingTimeSuggestions": []}',
            fetched_at=FETCHED,
        )
