"""The JSON adapters on real third-party files (``$BRIDGE_SCHED_REAL_DATA``, see SOURCES.md).

Every expected UTC instant below was worked out by hand; the comment next to
it gives the derivation. The files are read in place, never copied.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest

from bridge_sched.adapters import graph, opsgenie
from bridge_sched.model import BusyKind, TimeRange, Window

from .conftest import FETCHED

UTC = dt.timezone.utc


def z(text: str) -> dt.datetime:
    """``"2019-03-15T16:00"`` -> that instant in UTC."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def spans(windows: tuple[Window, ...]) -> list[tuple[dt.datetime, dt.datetime]]:
    return [(w.start, w.end) for w in windows]


# ---------------------------------------------------------------------------
# msgraph/getschedule_two_users_custom_tz.json
# Request: 2019-03-15 09:00-18:00 "Pacific Standard Time", interval 60.
# The Windows id "Pacific Standard Time" is America/Los_Angeles, which is on
# PDT (-07:00) since Sunday 10 Mar 2019: 09:00 -> 16:00Z, 18:00 -> 01:00Z (16 Mar).
# ---------------------------------------------------------------------------

GS_WINDOW = Window(start=z("2019-03-15T16:00"), end=z("2019-03-16T01:00"))


def test_getschedule_two_users(real_data: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = real_data / "msgraph" / "getschedule_two_users_custom_tz.json"
    with caplog.at_level(logging.DEBUG, logger="bridge_sched"):
        adele, megan = graph.load_schedule(
            path,
            fetched_at=FETCHED,
            window=GS_WINDOW,
            view_start=GS_WINDOW.start,
            interval_minutes=60,
        )
    assert adele.account == "adelev@contoso.onmicrosoft.com"
    assert megan.account == "meganb@contoso.onmicrosoft.com"
    assert adele.coverage == GS_WINDOW == megan.coverage
    # Adele: "busy" 12:00-14:00 PST-labelled = PDT: 12:00-07:00 -> 19:00Z, 14:00 -> 21:00Z.
    assert [(b.start, b.end, b.kind) for b in adele.busy] == [
        (z("2019-03-15T19:00"), z("2019-03-15T21:00"), BusyKind.busy)
    ]
    # Megan: busy 08:30-09:30 PDT = 15:30Z-16:30Z, starts before the window -> clipped to 16:00Z;
    # busy 12-14 and busy 13-14 overlap and are both kept; tentative 12-13 (19:00Z-20:00Z);
    # tentative 16:00-17:00 PDT -> 23:00Z-00:00Z.
    assert [(b.start, b.end, b.kind) for b in megan.busy] == [
        (z("2019-03-15T16:00"), z("2019-03-15T16:30"), BusyKind.busy),
        (z("2019-03-15T19:00"), z("2019-03-15T20:00"), BusyKind.tentative),
        (z("2019-03-15T19:00"), z("2019-03-15T21:00"), BusyKind.busy),
        (z("2019-03-15T20:00"), z("2019-03-15T21:00"), BusyKind.busy),
        (z("2019-03-15T23:00"), z("2019-03-16T00:00"), BusyKind.tentative),
    ]
    # The availability views ("000220000", "200220010") agree with the items: no repairs.
    assert adele.provenance.repairs == () == megan.provenance.repairs
    assert adele.provenance.source == "graph"

    # Working hours. Adele: named zone "Pacific Standard Time" -> a weekly pattern.
    assert adele.timezone == "America/Los_Angeles"
    assert adele.working_hours is not None
    assert adele.working_hours.fri == (TimeRange(start="08:00", end="17:00"),)
    assert adele.working_hours.sat == () == adele.working_hours.sun
    assert adele.availability is None
    # Megan: "Customized Time Zone", bias 480 (UTC-8), daylight bias -60 from the 2nd Sunday
    # of March (10 Mar 2019) 02:00 -> UTC-7 on Fri 15 Mar: 08:00 -> 15:00Z, 17:00 -> 00:00Z;
    # clipped to the window start 16:00Z. Sat 16 Mar is not a working day.
    assert megan.timezone is None and megan.working_hours is None
    assert megan.availability is not None
    assert spans(megan.availability) == [(z("2019-03-15T16:00"), z("2019-03-16T00:00"))]

    # What must not survive: subject, location, isPrivate.
    for part in (adele, megan):
        dumped = part.model_dump_json() + repr(part)
        for secret in ("Let's go for lunch", "Harry's Bar", "Harry", "lunch", "isPrivate"):
            assert secret not in dumped
    assert "lunch" not in caplog.text and "Harry" not in caplog.text


# ---------------------------------------------------------------------------
# msgraph/getschedule_capitalized_status_36_slots.json
# Request: 2018-08-06 09:00-18:00 "Pacific Standard Time", interval 15 (36 slots).
# 6 Aug 2018 is in PDT (-07:00): 09:00 -> 16:00Z; 36 x 15 min = 9 h -> 01:00Z (7 Aug).
# ---------------------------------------------------------------------------


def test_getschedule_capitalised_statuses(real_data: Path) -> None:
    path = real_data / "msgraph" / "getschedule_capitalized_status_36_slots.json"
    (alex,) = graph.load_schedule(
        path, fetched_at=FETCHED, view_start=z("2018-08-06T16:00"), interval_minutes=15
    )
    assert alex.account == "AlexW@contoso.OnMicrosoft.com"
    # No window given: the coverage is the view's span.
    assert alex.coverage == Window(start=z("2018-08-06T16:00"), end=z("2018-08-07T01:00"))
    # "Tentative" 09:00-10:30 PDT -> 16:00Z-17:30Z; "Busy" 11:00-13:00 PDT -> 18:00Z-20:00Z.
    assert [(b.start, b.end, b.kind) for b in alex.busy] == [
        (z("2018-08-06T16:00"), z("2018-08-06T17:30"), BusyKind.tentative),
        (z("2018-08-06T18:00"), z("2018-08-06T20:00"), BusyKind.busy),
    ]
    # "111111002222222200000000000000000000" agrees: slots 0-5 tentative, 8-15 busy.
    assert alex.provenance.repairs == ()
    # Custom zone (bias 480, DST from the 2nd Sunday of March, 11 Mar 2018, to the 1st Sunday
    # of November): Mon 6 Aug 08:00 local = UTC-7 -> 15:00Z, 17:00 -> 00:00Z; clipped to 16:00Z.
    assert alex.availability is not None
    assert spans(alex.availability) == [(z("2018-08-06T16:00"), z("2018-08-07T00:00"))]
    assert alex.working_hours is None and alex.timezone is None


# ---------------------------------------------------------------------------
# msgraph/findmeetingtimes_*.json
# ---------------------------------------------------------------------------


def test_findmeetingtimes_five_suggestions(real_data: Path) -> None:
    path = real_data / "msgraph" / "findmeetingtimes_five_suggestions_tentative_organizer.json"
    result = graph.load_meeting_times(path, fetched_at=FETCHED)
    assert result.empty_reason is None
    # Graph's order is kept (its "order" member), not chronological.
    assert [s.rank for s in result.suggestions] == [1, 2, 3, 4, 5]
    # 18 Apr 2019 is in PDT (-07:00, since 10 Mar 2019):
    # order 1: 16:00-17:00 -> 23:00Z-00:00Z (19 Apr); order 2: 08:00-09:00 -> 15:00Z-16:00Z.
    first, second = result.suggestions[:2]
    assert (first.start, first.end) == (z("2019-04-18T23:00"), z("2019-04-19T00:00"))
    assert (second.start, second.end) == (z("2019-04-18T15:00"), z("2019-04-18T16:00"))
    assert [s.organizer_availability for s in result.suggestions] == [
        "free",
        "free",
        "tentative",
        "tentative",
        "tentative",
    ]
    assert all(s.confidence == 100.0 for s in result.suggestions)
    assert result.suggestions[0].attendees[0].account == "alexw@contoso.onmicrosoft.com"
    assert result.suggestions[0].attendees[0].availability == "free"
    # Chronological windows for a comparison with our slots: 15:00Z (08:00 PDT) comes first.
    assert [w.start for w in result.windows()] == [
        z("2019-04-18T15:00"),
        z("2019-04-18T16:00"),
        z("2019-04-18T19:00"),
        z("2019-04-18T22:00"),
        z("2019-04-18T23:00"),
    ]
    dumped = result.model_dump_json() + repr(result)
    assert "Conf room Hood" not in dumped and "Suggested because" not in dumped


def test_findmeetingtimes_empty(real_data: Path) -> None:
    # No instants in this file: an empty suggestion list and its reason.
    path = real_data / "msgraph" / "findmeetingtimes_empty_attendees_unavailable.json"
    result = graph.load_meeting_times(path, fetched_at=FETCHED)
    assert result.suggestions == ()
    assert result.windows() == ()
    assert result.empty_reason == "attendeesUnavailable"  # "AttendeesUnavailable" in the file
    assert result.provenance.name == "findmeetingtimes_empty_attendees_unavailable.json"


def test_findmeetingtimes_single_suggestion(real_data: Path) -> None:
    path = real_data / "msgraph" / "findmeetingtimes_single_suggestion.json"
    result = graph.load_meeting_times(path, fetched_at=FETCHED)
    (only,) = result.suggestions
    # 21 Apr 2017 is in PDT (-07:00, since 12 Mar 2017): 14:00 -> 21:00Z, 16:00 -> 23:00Z.
    assert (only.start, only.end) == (z("2017-04-21T21:00"), z("2017-04-21T23:00"))
    assert only.confidence == 100.0  # written as the float 100.0
    assert only.organizer_availability == "free"
    assert only.attendees[0].attendee_type == "required"
    assert only.attendees[0].account == "samanthab@contoso.onmicrosoft.com"
    assert "Conf room Hood" not in result.model_dump_json()


# ---------------------------------------------------------------------------
# opsgenie/schedule_api_responses_opsgenieclient.json
# Not strict JSON: a trailing comma after '"type": "none"' (line 51), before the
# '}' on line 52. Zone Europe/Kirov: MSK, +03:00 all year since 26 Oct 2014.
# ---------------------------------------------------------------------------

OPSGENIE = "schedule_api_responses_opsgenieclient.json"
KIROV_REPAIR = "trailing comma at line 51 column 29 removed (before '}' at line 52 column 13)"


def test_opsgenie_get_schedule_hourly_rotation(
    real_data: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = real_data / "opsgenie" / OPSGENIE
    window = Window(start=z("2017-02-06T00:00"), end=z("2017-02-08T00:00"))
    with caplog.at_level(logging.DEBUG, logger="bridge_sched"):
        (part,) = opsgenie.load_schedule(
            path, fetched_at=FETCHED, window=window, key="GetScheduleResponse"
        )
    assert part.provenance.repairs == (KIROV_REPAIR,)
    assert "trailing comma at line 51" in caplog.text
    assert [r.levelname for r in caplog.records if "trailing comma" in r.getMessage()] == [
        "WARNING"
    ]
    assert part.schedule == "4a9e4b7c-b5d2-4ecb-b82c-e3b52alp829cf"  # non-hex "alp" kept as is
    assert part.timezone == "Europe/Kirov"
    assert part.coverage == window
    # Rotation: hourly, length 6, from 2017-02-06T05:00Z; turns alternate user / "none":
    # user 05:00-11:00Z, none 11:00-17:00Z, user 17:00-23:00Z, none 23:00-05:00Z, ...
    # Restriction 08:00-18:30 Kirov (+03:00) = 05:00Z-15:30Z each day, so the user's
    # 17:00-23:00Z turns are masked and only 05:00-11:00Z remains, every day.
    (user,) = part.candidates
    assert user.account == "96414alp-3ea5-41b1-a019-601598627d68"
    assert user.level == 1
    assert spans(user.on_call) == [
        (z("2017-02-06T05:00"), z("2017-02-06T11:00")),
        (z("2017-02-07T05:00"), z("2017-02-07T11:00")),
    ]
    dumped = part.model_dump_json() + repr(part) + caplog.text
    for secret in ("user@opsgenie.com", "ScheduleName", "ScheduleDescription", "ops_team",
                   "First Rotation"):  # fmt: skip
        assert secret not in dumped


def test_opsgenie_get_schedule_end_date(real_data: Path) -> None:
    path = real_data / "opsgenie" / OPSGENIE
    window = Window(start=z("2017-02-22T00:00"), end=z("2017-02-24T00:00"))
    (part,) = opsgenie.load_schedule(
        path, fetched_at=FETCHED, window=window, key="GetScheduleResponse"
    )
    # endDate 2017-02-23T06:00Z cuts the 23 Feb turn (05:00-11:00Z) at 06:00Z.
    assert spans(part.candidates[0].on_call) == [
        (z("2017-02-22T05:00"), z("2017-02-22T11:00")),
        (z("2017-02-23T05:00"), z("2017-02-23T06:00")),
    ]


def test_opsgenie_list_schedules_weekly_rotation(real_data: Path) -> None:
    path = real_data / "opsgenie" / OPSGENIE
    window = Window(start=z("2017-05-14T00:00"), end=z("2017-06-05T00:00"))
    (part,) = opsgenie.load_schedule(
        path, fetched_at=FETCHED, window=window, key="ListScheduleResponse"
    )
    assert part.provenance.repairs == (KIROV_REPAIR,)
    assert part.schedule == "d875e654-9b4e-4219-alp3-0c26936d18de"
    assert part.timezone == "Europe/Kirov"
    # Weekly, length 1, from 2017-05-14T21:00Z = Mon 15 May 00:00 Kirov (+03:00);
    # participants user, team: user 14 May 21:00Z - 21 May 21:00Z, team the next week
    # (no candidate: a team is not a person), user again 28 May 21:00Z - 4 Jun 21:00Z.
    (user,) = part.candidates
    assert user.account == "a9514028-2bca-4510-alpf-4b65f2c33a56"
    assert spans(user.on_call) == [
        (z("2017-05-14T21:00"), z("2017-05-21T21:00")),
        (z("2017-05-28T21:00"), z("2017-06-04T21:00")),
    ]
    assert "00564944-b42f-4b95-a882-ee9a5alpb9bb" not in part.model_dump_json()  # the team
