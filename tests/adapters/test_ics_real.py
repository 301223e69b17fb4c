"""The iCalendar adapter on the 25 real files in ``$BRIDGE_SCHED_REAL_DATA/ics``.

Every expected instant below was worked out by hand from the file text (the
derivation is in the comment: local time, zone, UTC offset on that date -> UTC).
Where a file states the local time it means (SUMMARY / DESCRIPTION / COMMENT),
that statement is the check. ``ABSENT`` lists starts that must not appear
(EXDATEs, cancelled or moved instances). Files whose events block nothing
(transparent, FREE, zero-length) are checked through ``ics._all_instances``,
which returns every instance with kind ``None`` for the non-blocking ones.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bridge_sched.adapters import ics
from bridge_sched.errors import AdapterError
from bridge_sched.model import BusyKind, Window

from .conftest import FETCHED

UTC = dt.timezone.utc
B, T, OOF = BusyKind.busy, BusyKind.tentative, BusyKind.out_of_office


def u(text: str) -> dt.datetime:
    """``"2020-04-26 12:00"`` -> aware UTC datetime."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def w(start: str, end: str) -> Window:
    return Window(start=u(start), end=u(end))


@dataclass
class Case:
    window: Window
    busy: list[tuple[str, str, BusyKind]] = field(default_factory=list)  # must appear
    absent: list[str] = field(default_factory=list)  # no busy interval starts here
    count: int | None = None  # exact number of busy intervals
    timezone: str | None = None
    part_zone: str | None = None
    repairs: list[str] = field(default_factory=list)  # substrings of provenance.repairs
    instances: list[tuple[str, str, BusyKind | None]] = field(default_factory=list)


CASES: dict[str, Case] = {
    # Europe/Moscow 12:00-13:00 on 2018-04-20; tzdata: MSK = UTC+3 -> 09:00-10:00Z.
    # The embedded VTIMEZONE (+02:30:17) would give 09:29:43Z: tzdata wins.
    "apple_moscow_vtimezone_seconds_offset.ics": Case(
        window=w("2018-04-01", "2018-05-01"),
        busy=[("2018-04-20 09:00", "2018-04-20 10:00", B)],
        absent=["2018-04-20 09:29:43"],
        count=1,
    ),
    # Tuesdays 16:15 Europe/Berlin + PT1H30M, UNTIL 2020-02-04 15:14:59Z.
    # 2019-10-29 (CET, +1 after the 27 Oct change) 16:15 -> 15:15-16:45Z.
    # 2020-01-28 16:15 CET -> 15:15Z (last; 02-04 15:15Z is after UNTIL).
    # EXDATEs in UTC: 10-15 14:15Z (CEST), 11-05 15:15Z ... 12-31 15:15Z.
    "davx5_berlin_weekly_utc_exdate_list_across_dst.ics": Case(
        window=w("2019-10-01", "2020-03-01"),
        busy=[
            ("2019-10-29 15:15", "2019-10-29 16:45", B),
            ("2019-11-12 15:15", "2019-11-12 16:45", B),
            ("2020-01-28 15:15", "2020-01-28 16:45", B),
        ],
        absent=["2019-10-15 14:15", "2019-10-22 14:15", "2019-11-05 15:15", "2020-02-04 15:15"],
        count=7,
    ),
    # Thursdays 19:30-20:30 Europe/Paris from 2024-06-06. 06-06 CEST (+2) -> 17:30-18:30Z;
    # EXDATE 07-04 19:30 CEST = 17:30Z; 11-28 CET (+1) -> 18:30-19:30Z exactly once
    # (override with a repeated EXDATE and lower SEQUENCE; same times as the master).
    "davx5_override_with_exdate_vtimezone_last.ics": Case(
        window=w("2024-06-01", "2024-12-01"),
        busy=[
            ("2024-06-06 17:30", "2024-06-06 18:30", B),
            ("2024-10-31 18:30", "2024-10-31 19:30", B),
            ("2024-11-28 18:30", "2024-11-28 19:30", B),
        ],
        absent=["2024-07-04 17:30"],
        count=25,  # 26 Thursdays 06-06..11-28, minus the EXDATE
    ),
    # "Eastern Standard Time" (Windows id) -> America/New_York; 2024-10-28 17:00 EDT (-4)
    # -> 21:00-22:00Z.
    "exchange2010_eastern_standard_time.ics": Case(
        window=w("2024-10-01", "2024-11-30"),
        busy=[("2024-10-28 21:00", "2024-10-28 22:00", B)],
        count=1,
    ),
    # All-day biweekly Thursdays, TRANSP:TRANSPARENT + CDO FREE: no busy time.
    # Caller zone Europe/London, BST (+1): 2020-04-02 -> 04-01 23:00Z .. 04-02 23:00Z.
    # 04-16 moved to 04-17 (RECURRENCE-ID is a TZID date-time on a DATE series).
    "exchange2010_gmt_standard_time_allday_transparent.ics": Case(
        window=w("2020-04-01", "2020-06-01"),
        timezone="Europe/London",
        count=0,
        instances=[
            ("2020-04-01 23:00", "2020-04-02 23:00", None),
            ("2020-04-16 23:00", "2020-04-17 23:00", None),
            ("2020-05-28 23:00", "2020-05-29 23:00", None),
        ],
    ),
    # Quoted "Pacific Standard Time" -> America/Los_Angeles; 2017-02-24 12:00 PST (-8)
    # -> 20:00-20:30Z.
    "exchange2010_pacific_standard_time_quoted_tzid.ics": Case(
        window=w("2017-02-01", "2017-03-01"),
        busy=[("2017-02-24 20:00", "2017-02-24 20:30", B)],
        count=1,
    ),
    # TZID=Europe/Berlin (no VTIMEZONE for it; the W. Europe one is unused), daily 14:00
    # CEST (+2) -> 12:00Z, floating UNTIL 2020-04-29 00:00, EXDATE 04-27 12:00Z.
    "exchange2010_w_europe_vtimezone_unused_exdate_utc.ics": Case(
        window=w("2020-04-20", "2020-05-10"),
        busy=[
            ("2020-04-26 12:00", "2020-04-26 12:30", B),
            ("2020-04-28 12:00", "2020-04-28 12:30", B),
        ],
        absent=["2020-04-27 12:00", "2020-04-29 12:00"],
        count=2,
        repairs=["2 blank line(s) skipped"],
    ),
    # Custom "GMT +0100 (Standard) / GMT +0200 (Daylight)" VTIMEZONE (EU rules); July = +2.
    # 10:00-10:30 -> 08:00-08:30Z, weekdays 2015-07-03 .. UNTIL 07-22 08:00Z (inclusive).
    "exchange_cdo_gmt_offset_tzid_spaced_byday.ics": Case(
        window=w("2015-07-01", "2015-08-01"),
        busy=[
            ("2015-07-03 08:00", "2015-07-03 08:30", B),
            ("2015-07-22 08:00", "2015-07-22 08:30", B),
        ],
        absent=["2015-07-04 08:00", "2015-07-05 08:00", "2015-07-23 08:00"],
        count=14,
        repairs=["line 25: white space removed from RRULE"],
    ),
    # Floating 18:00-19:00, caller zone Europe/Paris, CEST (+2) -> 16:00-17:00Z, 3 days.
    # EXDATE 2013-09-02 19:30Z matches no instance: all three stay.
    "floating_dtstart_utc_exdate.ics": Case(
        window=w("2013-08-25", "2013-09-10"),
        timezone="Europe/Paris",
        part_zone="Europe/Paris",
        busy=[
            ("2013-09-01 16:00", "2013-09-01 17:00", B),
            ("2013-09-02 16:00", "2013-09-02 17:00", B),
            ("2013-09-03 16:00", "2013-09-03 17:00", B),
        ],
        count=3,
    ),
    # America/Chicago. 10:15 Fridays (p1lc8): 2020-09-25 CDT (-5) -> 15:15Z; 11-13 CST (-6)
    # -> 16:15Z; EXDATE 10-23 and 11-27. 08:15 Mon/Tue/Thu/Fri (c4p6): 11-23 CST -> 14:15Z,
    # EXDATE 11-26 and 11-27. One-off UTC event 2020-11-13 14:15-14:30Z.
    "google_chicago_weekly_exdates_across_dst_end.ics": Case(
        window=w("2020-09-20", "2020-11-29"),
        part_zone="America/Chicago",
        busy=[
            ("2020-09-25 15:15", "2020-09-25 15:30", B),
            ("2020-11-13 16:15", "2020-11-13 16:30", B),
            ("2020-11-13 14:15", "2020-11-13 14:30", B),
            ("2020-11-23 14:15", "2020-11-23 14:30", B),
        ],
        absent=["2020-10-23 15:15", "2020-11-26 14:15", "2020-11-27 14:15", "2020-11-27 16:15"],
    ),
    # Last Friday monthly 21:30 Europe/Berlin, zero-length and transparent: nothing blocks.
    # 2021-11-26 21:30 CET (+1) -> 20:30Z; the 12-31 instance moved to 12-17 20:30Z.
    "google_monthly_moved_occurrence_transparent.ics": Case(
        window=w("2021-11-01", "2022-02-01"),
        part_zone="Europe/Berlin",
        count=0,
        instances=[
            ("2021-11-26 20:30", "2021-11-26 20:30", None),
            ("2021-12-17 20:30", "2021-12-17 20:30", None),
            ("2022-01-28 20:30", "2022-01-28 20:30", None),
        ],
    ),
    # SUMMARY: "noon to 1PM on 12/22/2021" (EST, -5) -> 17:00-18:00Z;
    # "9PM to 10PM on 12/22/2021" -> 12-23 02:00-03:00Z.
    "google_x_wr_timezone_utc_times.ics": Case(
        window=w("2021-12-20", "2021-12-27"),
        part_zone="America/New_York",
        busy=[
            ("2021-12-22 17:00", "2021-12-22 18:00", B),
            ("2021-12-23 02:00", "2021-12-23 03:00", B),
        ],
        count=2,
    ),
    # Custom "Mitteleuropäische Zeit " (EU rules); 2026-07-01 17:00-18:30 summer (+2)
    # -> 15:00-16:30Z. icalendar drops the trailing space of the parameter: logged repair.
    "groupwise_non_ascii_tzid_trailing_space.ics": Case(
        window=w("2026-06-25", "2026-07-05"),
        busy=[("2026-07-01 15:00", "2026-07-01 16:30", B)],
        count=1,
        repairs=["matched to the VTIMEZONE 'Mitteleuropäische Zeit '"],
    ),
    # Orphan THISANDFUTURE override with 19 RDATE periods 08:00-09:00 "Central Standard
    # Time" (America/Chicago), Tuesdays 2018-03-27 .. 07-31, CDT (-5) -> 13:00-14:00Z.
    "khal_rdate_period_central_standard_time_no_vtimezone.ics": Case(
        window=w("2018-03-01", "2018-09-01"),
        busy=[
            ("2018-03-27 13:00", "2018-03-27 14:00", B),
            ("2018-07-31 13:00", "2018-07-31 14:00", B),
        ],
        count=19,
        repairs=["line 10 (RECURRENCE-ID): override without its master series"],
    ),
    # COMMENT: "9 to 9:15am". Custom "Eastern" (1950 rules: DST from first Sunday in April)
    # -> 2005-04-25..29 EDT (-4) -> 13:00-13:15Z. CR-only line endings.
    "lotus_notes_cr_line_endings_rdate_period.ics": Case(
        window=w("2005-04-20", "2005-05-05"),
        busy=[
            ("2005-04-25 13:00", "2005-04-25 13:15", B),
            ("2005-04-29 13:00", "2005-04-29 13:15", B),
        ],
        count=5,
    ),
    # "Pacific Standard Time" (Windows id) -> America/Los_Angeles; Thursdays 10:00.
    # 2023-01-05 PST (-8) -> 18:00Z; 2023-03-16 PDT (-7) -> 17:00Z; UNTIL 06-08 17:00Z
    # is the last instance (10:00 PDT).
    "mozilla_pacific_standard_time_tzid_colon_mismatch.ics": Case(
        window=w("2023-01-01", "2023-07-01"),
        busy=[
            ("2023-01-05 18:00", "2023-01-05 19:00", B),
            ("2023-03-09 18:00", "2023-03-09 19:00", B),
            ("2023-03-16 17:00", "2023-03-16 18:00", B),
            ("2023-06-08 17:00", "2023-06-08 18:00", B),
        ],
        absent=["2023-06-15 17:00"],
        count=23,
    ),
    # Europe/Paris (tzdata; the VTIMEZONE with UTC DTSTARTs is not used): 2025-09-25
    # 09:30-14:00 CEST (+2) -> 07:30-12:00Z.
    "opencalendar_vtimezone_utc_dtstart.ics": Case(
        window=w("2025-09-20", "2025-09-30"),
        busy=[("2025-09-25 07:30", "2025-09-25 12:00", B)],
        count=1,
    ),
    # All UTC. Every 2 days 12:00-14:00Z; DESCRIPTIONs: 09-13 "move -3h, make 7 hours
    # long" (THISANDFUTURE) -> 09:00-16:00Z and later instances too (RDATE 09-14 09:00Z ->
    # 06:00-13:00Z); 09-15 "move +5h" -> 17:00-19:00Z; 09-21 "moved +1 day +2h +22min,
    # 1 hour 51min long" (THISANDFUTURE) -> 09-22 14:22-16:13Z, 09-23 -> 09-24 14:22Z.
    "range_thisandfuture_overrides.ics": Case(
        window=w("2024-09-10", "2024-09-28"),
        busy=[
            ("2024-09-11 12:00", "2024-09-11 14:00", B),
            ("2024-09-13 09:00", "2024-09-13 16:00", B),
            ("2024-09-14 06:00", "2024-09-14 13:00", B),
            ("2024-09-15 17:00", "2024-09-15 19:00", B),
            ("2024-09-17 09:00", "2024-09-17 16:00", B),
            ("2024-09-22 14:22", "2024-09-22 16:13", B),
            ("2024-09-24 14:22", "2024-09-24 16:13", B),
        ],
        absent=["2024-09-13 12:00", "2024-09-15 09:00", "2024-09-21 09:00", "2024-09-23 12:00"],
        count=9,
    ),
    # Custom US-Eastern with pre-2007 rules. Events have no DTEND/DURATION (zero-length),
    # except two all-day series. Caller zone America/New_York for the DATE values:
    # 1997-08-10 (EDT, -4) -> 04:00Z .. 08-11 04:00Z (RFC: Aug 5, 10, 19, 24);
    # 1997-10-27 09:00 US-Eastern EST (-5) -> 14:00Z; 2027-03-15 09:00 in the file's
    # US-Eastern is still EST (DST from first Sunday in April) -> 14:00Z, not 13:00Z.
    "rfc2445_rrule_examples_custom_us_eastern_pre2007.ics": Case(
        window=w("1997-08-01", "1997-08-20"),
        timezone="America/New_York",
        busy=[
            ("1997-08-05 04:00", "1997-08-06 04:00", B),
            ("1997-08-10 04:00", "1997-08-11 04:00", B),
            ("1997-08-17 04:00", "1997-08-18 04:00", B),
            ("1997-08-19 04:00", "1997-08-20 04:00", B),
        ],
        count=6,  # 08-05 and 08-19 appear in both all-day series
    ),
    # Daily 22:00-23:00 Europe/Berlin CET (+1) -> 21:00-22:00Z, COUNT=3; the 01-29 override
    # is STATUS:CANCELLED.
    "thunderbird_cancelled_occurrence_override.ics": Case(
        window=w("2020-01-27", "2020-02-02"),
        busy=[
            ("2020-01-28 21:00", "2020-01-28 22:00", B),
            ("2020-01-30 21:00", "2020-01-30 22:00", B),
        ],
        absent=["2020-01-29 21:00"],
        count=2,
    ),
    # W. Europe Standard Time -> Europe/Berlin; Fridays 11:00-12:00, CDO TENTATIVE.
    # 2026-01-23 CET (+1) -> 10:00Z; 01-30 moved to 10:30 CET -> 09:30Z; 04-10 CEST (+2)
    # -> 09:00Z; floating EXDATE 04-03 11:00 read in Berlin -> 09:00Z removed;
    # 07-31 11:00 CEST = 09:00Z = UNTIL: included.
    "thunderbird_teams_w_europe_tentative_floating_exdate.ics": Case(
        window=w("2026-01-20", "2026-08-07"),
        busy=[
            ("2026-01-23 10:00", "2026-01-23 11:00", T),
            ("2026-01-30 09:30", "2026-01-30 10:30", T),
            ("2026-03-27 10:00", "2026-03-27 11:00", T),
            ("2026-04-10 09:00", "2026-04-10 10:00", T),
            ("2026-07-31 09:00", "2026-07-31 10:00", T),
        ],
        absent=["2026-01-30 10:00", "2026-04-03 09:00", "2026-04-03 10:00"],
        count=27,
        repairs=["line 31 (EXDATE): floating date-time in a series with TZID"],
    ),
    # DATE start 2023-07-24 with a UTC end 2023-08-17T00:00Z, transparent: nothing blocks.
    # Caller zone Europe/Paris: start = local midnight CEST (+2) -> 07-23 22:00Z.
    "vacation_date_start_utc_datetime_end.ics": Case(
        window=w("2023-07-01", "2023-09-01"),
        timezone="Europe/Paris",
        count=0,
        instances=[("2023-07-23 22:00", "2023-08-17 00:00", None)],
        repairs=["line 3 (DTSTART): DATE start with a DATE-TIME end"],
    ),
    # 14:00-15:00 on 2020-04-26 in Europe/Berlin (CEST +2) -> 12:00Z, America/New_York
    # (EDT -4) -> 18:00Z, America/Argentina/Buenos_Aires (-3) -> 17:00Z.
    "vendor_prefixed_tzids_libical_mozilla.ics": Case(
        window=w("2020-04-20", "2020-05-01"),
        busy=[
            ("2020-04-26 12:00", "2020-04-26 13:00", B),
            ("2020-04-26 17:00", "2020-04-26 18:00", B),
            ("2020-04-26 18:00", "2020-04-26 19:00", B),
        ],
        count=3,
    ),
    # Custom "(UTC-03:00) Brasília" (not a Windows id): 2017-05-11 is outside its DST
    # (Oct..Feb) -> -3: 13:30-14:00 -> 16:30-17:00Z.
    "windows_style_non_ascii_tzid_brasilia.ics": Case(
        window=w("2017-05-01", "2017-06-01"),
        busy=[("2017-05-11 16:30", "2017-05-11 17:00", B)],
        count=1,
    ),
    # Floating 21:00-22:45, X-WR-TIMEZONE Europe/Brussels, CEST (+2) -> 19:00-20:45Z.
    "x_wr_timezone_floating_times.ics": Case(
        window=w("2021-09-10", "2021-09-20"),
        part_zone="Europe/Brussels",
        busy=[("2021-09-16 19:00", "2021-09-16 20:45", B)],
        count=1,
    ),
}


def test_every_real_file_has_a_case(real_data: Path) -> None:
    files = sorted(p.name for p in (real_data / "ics").glob("*.ics"))
    assert len(files) == 25
    assert files == sorted(CASES)


@pytest.mark.parametrize("file", sorted(CASES))
def test_real_file(real_data: Path, file: str) -> None:
    case = CASES[file]
    path = real_data / "ics" / file
    part = ics.load(path, window=case.window, fetched_at=FETCHED, timezone=case.timezone)
    got = [(b.start, b.end, b.kind) for b in part.busy]
    for start, end, kind in case.busy:
        assert (u(start), u(end), kind) in got, (start, end, kind)
    starts = {b.start for b in part.busy}
    for start in case.absent:
        assert u(start) not in starts, start
    if case.count is not None:
        assert len(part.busy) == case.count
    assert part.timezone == (case.part_zone or case.timezone)
    assert part.account == file
    assert part.coverage == case.window
    assert part.provenance.source == "ics"
    assert part.provenance.kind == "calendar"
    assert part.provenance.name == file
    for repair in case.repairs:
        assert any(repair in r for r in part.provenance.repairs), (repair, part.provenance.repairs)
    if not case.repairs:
        assert part.provenance.repairs == ()
    assert got == sorted(got, key=lambda t: (t[0], t[1], t[2].value))
    if case.instances:
        every = ics._all_instances(path, window=case.window, timezone=case.timezone)
        for start, end, kind in case.instances:
            assert (u(start), u(end), kind) in every, (start, end, kind)


# ---------------------------------------------------------------------------
# Policies and refusals on real files
# ---------------------------------------------------------------------------


def test_moscow_tzdata_wins_over_embedded_vtimezone(real_data: Path) -> None:
    # The file's VTIMEZONE says +02:30:17; tzdata says +03:00 for Europe/Moscow in 2018.
    part = ics.load(
        real_data / "ics" / "apple_moscow_vtimezone_seconds_offset.ics",
        window=w("2018-04-20", "2018-04-21"),
        fetched_at=FETCHED,
    )
    assert [(b.start, b.end) for b in part.busy] == [(u("2018-04-20 09:00"), u("2018-04-20 10:00"))]


def test_floating_without_zone_is_refused(real_data: Path) -> None:
    with pytest.raises(AdapterError) as err:
        ics.load(
            real_data / "ics" / "floating_dtstart_utc_exdate.ics",
            window=w("2013-08-25", "2013-09-10"),
            fetched_at=FETCHED,
        )
    assert str(err.value).startswith("floating_dtstart_utc_exdate.ics:line 28 (DTSTART):")


def test_caller_zone_wins_over_x_wr_timezone_for_floating(real_data: Path) -> None:
    # 21:00 floating read in America/New_York (EDT, -4) -> 2021-09-17 01:00Z.
    part = ics.load(
        real_data / "ics" / "x_wr_timezone_floating_times.ics",
        window=w("2021-09-10", "2021-09-20"),
        fetched_at=FETCHED,
        timezone="America/New_York",
    )
    assert [(b.start, b.end) for b in part.busy] == [(u("2021-09-17 01:00"), u("2021-09-17 02:45"))]
    assert part.timezone == "Europe/Brussels"


def test_rfc2445_all_day_needs_a_zone(real_data: Path) -> None:
    with pytest.raises(AdapterError) as err:
        ics.load(
            real_data / "ics" / "rfc2445_rrule_examples_custom_us_eastern_pre2007.ics",
            window=w("1997-08-01", "1997-08-20"),
            fetched_at=FETCHED,
        )
    assert "rfc2445_rrule_examples_custom_us_eastern_pre2007.ics:line 354 (DTSTART)" in str(
        err.value
    )


def test_rfc2445_dense_forever_rule_is_capped(real_data: Path) -> None:
    # Line 338: FREQ=DAILY;BYMINUTE=0,20,40;BYHOUR=9..16 forever = 24 a day: over 1997-2030
    # that is ~290,000 instances, above MAX_INSTANCES; refused before expansion.
    with pytest.raises(AdapterError) as err:
        ics.load(
            real_data / "ics" / "rfc2445_rrule_examples_custom_us_eastern_pre2007.ics",
            window=w("1997-01-01", "2030-01-01"),
            fetched_at=FETCHED,
            timezone="America/New_York",
        )
    assert "line 338 (RRULE)" in str(err.value)
    assert str(ics.MAX_INSTANCES) in str(err.value)


def test_rfc2445_custom_zone_keeps_its_own_rules(real_data: Path) -> None:
    every = ics._all_instances(
        real_data / "ics" / "rfc2445_rrule_examples_custom_us_eastern_pre2007.ics",
        window=w("1997-10-24", "1997-10-29"),
        timezone="America/New_York",
    )
    starts = {s for s, _, _ in every}
    # Daily 09:00 until Dec 24 (RExample02): 10-24 EDT -> 13:00Z, 10-27 EST -> 14:00Z.
    assert u("1997-10-24 13:00") in starts
    assert u("1997-10-27 14:00") in starts
    later = ics._all_instances(
        real_data / "ics" / "rfc2445_rrule_examples_custom_us_eastern_pre2007.ics",
        window=w("2007-03-12", "2007-03-13"),
        timezone="America/New_York",
    )
    starts = {s for s, _, _ in later}
    # 2007-03-12 09:00 in the file's US-Eastern (pre-2007 rules: EST until 2007-04-01)
    # -> 14:00Z; IANA America/New_York is already EDT (from 03-11) and would give 13:00Z.
    assert u("2007-03-12 14:00") in starts
    assert u("2007-03-12 13:00") not in starts
    # Ten more years of the every-20-minutes rules exceed MAX_RULE_STEPS: refused.
    with pytest.raises(AdapterError, match=r"line \d+ \(RRULE\)"):
        ics._all_instances(
            real_data / "ics" / "rfc2445_rrule_examples_custom_us_eastern_pre2007.ics",
            window=w("2027-03-15", "2027-03-16"),
            timezone="America/New_York",
        )


def test_transparent_files_block_when_flipped(real_data: Path) -> None:
    # CDO wins over TRANSP: FREE -> OOF turns the transparent bin days into out of office.
    data = (
        real_data / "ics" / "exchange2010_gmt_standard_time_allday_transparent.ics"
    ).read_bytes()
    part = ics.load(
        data.replace(b"X-MICROSOFT-CDO-BUSYSTATUS:FREE", b"X-MICROSOFT-CDO-BUSYSTATUS:OOF"),
        window=w("2020-04-01", "2020-04-20"),
        fetched_at=FETCHED,
        timezone="Europe/London",
        name="flipped.ics",
    )
    assert [(b.start, b.end, b.kind) for b in part.busy] == [
        (u("2020-04-01 23:00"), u("2020-04-02 23:00"), OOF),
        (u("2020-04-08 23:00"), u("2020-04-09 23:00"), OOF),
        (u("2020-04-16 23:00"), u("2020-04-17 23:00"), OOF),
    ]
    vacation = (real_data / "ics" / "vacation_date_start_utc_datetime_end.ics").read_bytes()
    opaque = vacation.replace(b"TRANSP:TRANSPARENT", b"TRANSP:OPAQUE")
    part = ics.load(
        opaque, window=w("2023-07-01", "2023-09-01"), fetched_at=FETCHED, timezone="Europe/Paris"
    )
    assert [(b.start, b.end) for b in part.busy] == [(u("2023-07-23 22:00"), u("2023-08-17 00:00"))]
    with pytest.raises(AdapterError, match=r"^<bytes>:line 3 \(DTSTART\)"):
        ics.load(opaque, window=w("2023-07-01", "2023-09-01"), fetched_at=FETCHED)


def test_real_files_leak_no_text(real_data: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="bridge_sched")
    part = ics.load(
        real_data / "ics" / "thunderbird_teams_w_europe_tentative_floating_exdate.ics",
        window=w("2026-01-20", "2026-08-07"),
        fetched_at=FETCHED,
    )
    for text in ("Billings", "Teams-Besprechung", "Serie war", "mailto"):
        assert text not in part.model_dump_json()
        assert text not in caplog.text
