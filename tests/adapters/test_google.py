"""Google Calendar freebusy.query adapter (fixtures written from the API reference)."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from bridge_sched.adapters import google
from bridge_sched.errors import AdapterError
from bridge_sched.model import BusyKind, Window

from .conftest import FETCHED

UTC = dt.timezone.utc
FIXTURES = Path(__file__).parent / "fixtures" / "google"
CANARIES = ("CANARY-SUBJECT-91f", "CANARY-NAME-44c", "canary.email.7d1@secret.example")


def z(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_two_calendars(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="bridge_sched"):
        dara, room = google.load(FIXTURES / "freebusy_two_calendars.json", fetched_at=FETCHED)
    coverage = Window(start=z("2027-03-16T00:00"), end=z("2027-03-17T00:00"))
    # Sorted by account, whatever the order in the body.
    assert dara.account == "dara.okafor@northwind.example"
    assert room.account == "warroom-3@northwind.example"
    assert dara.coverage == coverage == room.coverage
    # 10:00-04:00 (EDT) -> 14:00Z; the period from 22:00Z the day before is clipped to timeMin.
    assert [(b.start, b.end, b.kind) for b in dara.busy] == [
        (z("2027-03-16T00:00"), z("2027-03-16T01:00"), BusyKind.busy),
        (z("2027-03-16T13:00"), z("2027-03-16T14:00"), BusyKind.busy),
        (z("2027-03-16T14:00"), z("2027-03-16T15:30"), BusyKind.busy),
    ]
    # notFound -> the whole coverage is unknown.
    assert [(b.start, b.end, b.kind) for b in room.busy] == [
        (coverage.start, coverage.end, BusyKind.unknown)
    ]
    assert "notFound" in caplog.text
    assert "warroom-3" not in caplog.text  # calendar ids are never logged
    assert dara.working_hours is None and dara.timezone is None
    assert dara.provenance.source == "google"
    assert dara.provenance.name == "freebusy_two_calendars.json"
    # groups are ignored: no part for the group address.
    assert "sre-oncall" not in dara.model_dump_json() + room.model_dump_json()


def _body(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "kind": "calendar#freeBusy",
        "timeMin": "2027-03-16T00:00:00Z",
        "timeMax": "2027-03-16T12:00:00Z",
        "calendars": {
            "a@northwind.example": {
                "busy": [{"start": "2027-03-16T09:00:00Z", "end": "2027-03-16T10:00:00Z"}]
            }
        },
    }
    base.update(over)
    return base


@pytest.mark.parametrize(
    ("over", "where", "token"),
    [
        ({"timeMin": "2027-03-16T00:00:00"}, "timeMin", "2027-03-16T00:00:00"),
        ({"timeMax": "2027-03-15T00:00:00Z"}, "timeMax", "2027-03-15T00:00:00Z"),
        (
            {
                "calendars": {
                    "x@y.example": {
                        "busy": [{"start": "2027-03-16T09:00:00", "end": "2027-03-16T10:00:00Z"}]
                    }
                }
            },
            "calendars[#0].busy[0].start",
            "2027-03-16T09:00:00",
        ),
        (
            {
                "calendars": {
                    "x@y.example": {
                        "busy": [{"start": "2027-03-16T09:00:00Z", "end": "2027-03-16T08:00:00Z"}]
                    }
                }
            },
            "calendars[#0].busy[0].end",
            "2027-03-16T08:00:00Z",
        ),
        ({"kind": "calendar#events"}, "kind", "calendar#events"),
        ({"calendars": []}, "calendars", "array"),
    ],
)
def test_broken_bodies(over: dict[str, Any], where: str, token: str) -> None:
    with pytest.raises(AdapterError) as info:
        google.load(json.dumps(_body(**over)).encode(), fetched_at=FETCHED, name="fb.json")
    assert info.value.where == where
    assert info.value.value == token
    assert "x@y" not in str(info.value)


def test_empty_busy_and_errors_with_busy() -> None:
    cal = {
        "free@northwind.example": {"busy": []},
        "err@northwind.example": {
            "errors": [{"domain": "global", "reason": "internalError"}],
            "busy": [{"start": "2027-03-16T09:00:00Z", "end": "2027-03-16T10:00:00Z"}],
        },
    }
    err, free = google.load(json.dumps(_body(calendars=cal)).encode(), fetched_at=FETCHED)
    assert free.busy == ()
    assert [b.kind for b in err.busy] == [BusyKind.unknown, BusyKind.busy]
    assert free.provenance.name == "google-freebusy.json"


def test_privacy_canary(caplog: pytest.LogCaptureFixture) -> None:
    cal = {
        "a@northwind.example": {
            "busy": [
                {
                    "start": "2027-03-16T09:00:00Z",
                    "end": "2027-03-16T10:00:00Z",
                    "summary": CANARIES[0],
                    "organizer": {"displayName": CANARIES[1], "email": CANARIES[2]},
                }
            ],
            "errors": [{"domain": "global", "reason": "notFound", "message": CANARIES[1]}],
        }
    }
    raw = json.dumps(_body(calendars=cal, description=CANARIES[0])).encode()
    with caplog.at_level(logging.DEBUG, logger="bridge_sched"):
        (part,) = google.load(raw, fetched_at=FETCHED)
    text = part.model_dump_json() + repr(part) + caplog.text
    for canary in CANARIES:
        assert canary not in text
    broken = raw.replace(b'"2027-03-16T10:00:00Z"', b'"2027-03-16T10:00:00"')
    with pytest.raises(AdapterError) as err:
        google.load(broken, fetched_at=FETCHED)
    for canary in CANARIES:
        assert canary not in str(err.value)
    with pytest.raises(AdapterError) as err:
        google.load(raw[: raw.index(CANARIES[0].encode()) + 5], fetched_at=FETCHED)
    for canary in CANARIES:
        assert canary not in str(err.value) and canary[:5] not in str(err.value)
