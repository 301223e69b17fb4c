"""Opsgenie who-is-on-call and Schedule API adapter (fixtures written from the docs, fictional)."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from bridge_sched.adapters import opsgenie
from bridge_sched.errors import AdapterError
from bridge_sched.model import Window

from .conftest import FETCHED

UTC = dt.timezone.utc
FIXTURES = Path(__file__).parent / "fixtures" / "opsgenie"
CANARIES = (
    "CANARY-NAME-44c",
    "canary.email.7d1@secret.example",
    "CANARY-SCHEDULE-NAME",
    "CANARY-DESCRIPTION",
    "CANARY-TEAM-NAME",
)


def z(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def spans(candidate: Any) -> list[tuple[dt.datetime, dt.datetime]]:
    return [(w.start, w.end) for w in candidate.on_call]


BRIDGE = Window(start=z("2027-03-16T08:00"), end=z("2027-03-16T12:00"))


def test_who_is_on_call_non_flat() -> None:
    part = opsgenie.load_oncalls(
        FIXTURES / "oncalls_nonflat.json", fetched_at=FETCHED, window=BRIDGE
    )
    assert part.schedule == "b3f0c2aa-7d1e-4c55-9a10-northwind01"
    # Ana directly (level 1; also inside the team, still level 1); inside the escalation Bo at
    # escalationTime 0 (level 1) and Dee at 10 (level 2). Chen only forwarded: not on call.
    assert [(c.level, c.account) for c in part.candidates] == [
        (1, "c1a2b3c4-0000-4000-8000-000000000bo2"),
        (1, "c1a2b3c4-0000-4000-8000-00000000ana1"),
        (2, "c1a2b3c4-0000-4000-8000-00000000dee4"),
    ]
    assert all(spans(c) == [(BRIDGE.start, BRIDGE.end)] for c in part.candidates)
    assert part.coverage == BRIDGE
    dumped = part.model_dump_json() + repr(part)
    for secret in ("northwind.example", "Payments_", "chen3"):
        assert secret not in dumped


def test_who_is_on_call_flat_usernames_are_accounts() -> None:
    part = opsgenie.load_oncalls(FIXTURES / "oncalls_flat.json", fetched_at=FETCHED, window=BRIDGE)
    assert [(c.level, c.account) for c in part.candidates] == [
        (1, "ana.ferreira@northwind.example"),
        (1, "bo.lindqvist@northwind.example"),
    ]


def test_who_is_on_call_errors() -> None:
    bad = {"data": {"_parent": {"id": "s1"}, "onCallParticipants": [{"type": "robot", "id": "r"}]}}
    with pytest.raises(AdapterError, match="unknown participant type") as info:
        opsgenie.load_oncalls(json.dumps(bad).encode(), fetched_at=FETCHED, window=BRIDGE)
    assert info.value.where == "data.onCallParticipants[0].type"
    with pytest.raises(AdapterError, match="neither"):
        opsgenie.load_oncalls(
            b'{"data": {"_parent": {"id": "s1"}}}', fetched_at=FETCHED, window=BRIDGE
        )
    with pytest.raises(AdapterError, match="required member missing"):
        opsgenie.load_oncalls(
            b'{"data": {"onCallRecipients": []}}', fetched_at=FETCHED, window=BRIDGE
        )


def test_daily_rotation_across_dst_with_weekday_restriction() -> None:
    window = Window(start=z("2027-03-25T00:00"), end=z("2027-03-31T00:00"))
    (part,) = opsgenie.load_schedule(
        FIXTURES / "schedule_daily_berlin_weekdays.json", fetched_at=FETCHED, window=window
    )
    assert part.timezone == "Europe/Berlin"
    assert part.schedule == "5c4e4d2a-3b1f-4a6e-9d7c-northwind02"
    # Daily turns hand over at 09:00 Berlin (startDate 22 Mar 08:00Z = 09:00 CET):
    # berlin, london, none, berlin (Thu 25), london (Fri 26), none (Sat 27),
    # berlin (Sun 28: 09:00 CEST = 07:00Z, DST began 28 Mar 02:00), london (Mon 29), none (Tue 30).
    # Restriction Mon 08:00 - Fri 18:00 Berlin: 22 Mar 07:00Z - 26 Mar 17:00Z (CET),
    # 29 Mar 06:00Z - 2 Apr 16:00Z (CEST).
    berlin, london = part.candidates
    assert berlin.account == "u-berlin-01" and london.account == "u-london-02"
    assert spans(berlin) == [
        (z("2027-03-25T08:00"), z("2027-03-26T08:00")),
        (z("2027-03-29T06:00"), z("2027-03-29T07:00")),
    ]
    assert spans(london) == [
        (z("2027-03-26T08:00"), z("2027-03-26T17:00")),
        (z("2027-03-29T07:00"), z("2027-03-30T07:00")),
    ]
    dumped = part.model_dump_json()
    for secret in ("jonas", "priya", "EU follow", "eu_team", "EU days"):
        assert secret not in dumped


def _schedule(**rotation_over: Any) -> dict[str, Any]:
    rotation: dict[str, Any] = {
        "name": CANARIES[2],
        "startDate": "2027-03-16T00:00:00Z",
        "type": "hourly",
        "length": 4,
        "participants": [
            {"type": "user", "id": "u1", "username": CANARIES[1]},
            {"type": "team", "id": "t1", "name": CANARIES[4]},
        ],
    }
    rotation.update(rotation_over)
    return {
        "data": {
            "id": "sched-1",
            "name": CANARIES[2],
            "description": CANARIES[3],
            "timezone": "Asia/Kolkata",
            "enabled": True,
            "ownerTeam": {"id": "t1", "name": CANARIES[4]},
            "rotations": [rotation],
        }
    }


def test_hourly_time_of_day_restriction_crossing_midnight_half_hour_zone() -> None:
    body = _schedule(
        timeRestriction={
            "type": "time-of-day",
            "restriction": {"startHour": 22, "startMin": 30, "endHour": 6, "endMin": 0},
        }
    )
    window = Window(start=z("2027-03-16T00:00"), end=z("2027-03-17T00:00"))
    (part,) = opsgenie.load_schedule(json.dumps(body).encode(), fetched_at=FETCHED, window=window)
    # Turns of 4 h from 00:00Z: u1 00-04Z, team 04-08Z, u1 08-12Z, team 12-16Z, u1 16-20Z, team 20-24Z.
    # Restriction 22:30-06:00 Kolkata (+05:30) = 17:00Z-00:30Z; on 16 Mar also the night
    # before: 15 Mar 22:30 IST = 17:00Z (15 Mar) to 16 Mar 06:00 IST = 00:30Z.
    (u1,) = part.candidates
    assert spans(u1) == [
        (z("2027-03-16T00:00"), z("2027-03-16T00:30")),
        (z("2027-03-16T17:00"), z("2027-03-16T20:00")),
    ]


def test_none_disabled_and_errors(caplog: pytest.LogCaptureFixture) -> None:
    window = Window(start=z("2027-03-16T00:00"), end=z("2027-03-16T12:00"))
    body = _schedule()
    body["data"]["enabled"] = False
    with caplog.at_level(logging.INFO, logger="bridge_sched"):
        (part,) = opsgenie.load_schedule(
            json.dumps(body).encode(), fetched_at=FETCHED, window=window
        )
    assert part.candidates == ()
    assert "disabled" in caplog.text
    body = _schedule(participants=[{"type": "none"}], endDate="2027-03-16T06:00:00Z")
    (part,) = opsgenie.load_schedule(json.dumps(body).encode(), fetched_at=FETCHED, window=window)
    assert part.candidates == ()
    for over, where in (
        ({"type": "monthly"}, "data.rotations[0].type"),
        ({"startDate": "2027-03-16T00:00:00"}, "data.rotations[0].startDate"),
        ({"participants": [{"type": "robot"}]}, "data.rotations[0].participants[0].type"),
        ({"endDate": "2027-03-15T00:00:00Z"}, "data.rotations[0].endDate"),
        (
            {
                "timeRestriction": {
                    "type": "weekday-and-time-of-day",
                    "restrictions": [
                        {
                            "startDay": "funday",
                            "startHour": 1,
                            "startMin": 0,
                            "endDay": "monday",
                            "endHour": 2,
                            "endMin": 0,
                        }
                    ],
                }
            },
            "data.rotations[0].timeRestriction.restrictions[0].startDay",
        ),
    ):
        with pytest.raises(AdapterError) as info:
            opsgenie.load_schedule(
                json.dumps(_schedule(**over)).encode(), fetched_at=FETCHED, window=window
            )
        assert info.value.where == where
    body = _schedule()
    body["data"]["timezone"] = "Mars/Olympus_Mons"
    with pytest.raises(AdapterError, match="unknown time zone"):
        opsgenie.load_schedule(json.dumps(body).encode(), fetched_at=FETCHED, window=window)
    del body["data"]["rotations"]
    body["data"]["timezone"] = "UTC"
    with pytest.raises(AdapterError, match="expand=rotation"):
        opsgenie.load_schedule(json.dumps(body).encode(), fetched_at=FETCHED, window=window)


def test_long_running_rotation_starts_near_the_window() -> None:
    # A weekly rotation from 2017 expanded in 2027: turn count is computed, not iterated.
    body = _schedule(type="weekly", length=1, startDate="2017-01-02T00:00:00Z",
                     participants=[{"type": "user", "id": "a"}, {"type": "user", "id": "b"}])  # fmt: skip
    window = Window(start=z("2027-03-16T00:00"), end=z("2027-03-23T00:00"))
    (part,) = opsgenie.load_schedule(json.dumps(body).encode(), fetched_at=FETCHED, window=window)
    # Kolkata has no DST: Mondays 05:30 IST = 00:00Z. 2 Jan 2017 + 532 weeks = 15 Mar 2027 (even
    # turn -> a), then 22 Mar 2027 (b).
    assert [(c.account, spans(c)) for c in part.candidates] == [
        ("a", [(z("2027-03-16T00:00"), z("2027-03-22T00:00"))]),
        ("b", [(z("2027-03-22T00:00"), z("2027-03-23T00:00"))]),
    ]


def test_privacy_canary(caplog: pytest.LogCaptureFixture) -> None:
    window = Window(start=z("2027-03-16T00:00"), end=z("2027-03-16T12:00"))
    raw = json.dumps(_schedule()).encode()
    who = json.dumps(
        {
            "data": {
                "_parent": {"id": "sched-1", "name": CANARIES[2]},
                "onCallParticipants": [{"id": "u1", "name": CANARIES[1], "type": "user"}],
            }
        }
    ).encode()
    with caplog.at_level(logging.DEBUG, logger="bridge_sched"):
        parts = opsgenie.load_schedule(raw, fetched_at=FETCHED, window=window)
        part = opsgenie.load_oncalls(who, fetched_at=FETCHED, window=window)
    text = "".join(p.model_dump_json() + repr(p) for p in (*parts, part)) + caplog.text
    assert "u1" in text
    for canary in CANARIES:
        assert canary not in text
    for broken in (
        raw.replace(b'"2027-03-16T00:00:00Z"', b'"2027-03-16T00:00:00"'),
        raw[: raw.index(CANARIES[3].encode()) + 9],
        raw.replace(b'"hourly"', b'"fortnightly"'),
    ):
        with pytest.raises(AdapterError) as err:
            opsgenie.load_schedule(broken, fetched_at=FETCHED, window=window)
        for canary in CANARIES:
            assert canary not in str(err.value) and canary[:9] not in str(err.value)
