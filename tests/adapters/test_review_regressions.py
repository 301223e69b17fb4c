"""Defects a fresh-install review found in the adapters, the manifest and freshness."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from bridge_sched import (
    AdapterError,
    BridgeRequest,
    InputError,
    Status,
    Window,
    load_example,
    solve,
)
from bridge_sched.adapters import ics
from bridge_sched.adapters._json import read_json, safe_token
from bridge_sched.adapters.manifest import assemble, parse_manifest

UTC = dt.timezone.utc
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "real-calendars"
WINDOW = Window(
    start=dt.datetime(2027, 4, 20, 7, tzinfo=UTC), end=dt.datetime(2027, 4, 20, 17, tzinfo=UTC)
)
FETCHED = dt.datetime(2027, 4, 20, 6, tzinfo=UTC)


def _event(*lines: str) -> bytes:
    body = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//test//EN",
        "BEGIN:VEVENT",
        "UID:x@example",
        "SUMMARY:CANARY-SUMMARY-5f1",
        *lines,
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(body) + "\r\n").encode()


@pytest.mark.parametrize(
    ("lines", "where", "reason"),
    [
        (
            ["DTSTART:20270420T090000Z", "DTEND:20270420T100000Z", "RRULE:FREQ=DAILY;INTERVAL=0"],
            "line 9 (RRULE)",
            "INTERVAL must be at least 1",
        ),
        (
            ["DTSTART:20270420T090000Z", "DTEND:20270420T100000Z", "RRULE:FREQ=WEEKLY;BYDAY=MO,XX"],
            "line 9 (RRULE)",
            "malformed RRULE value",
        ),
        (["DTSTART:2027042T090000Z", "DTEND:20270420T100000Z"], "line 7 (DTSTART)", "malformed"),
        (
            ["DTSTART:20270420T100000Z", "DTEND:20270420T090000Z"],
            "line 8 (DTEND)",
            "DTEND is before DTSTART",
        ),
        (["DTSTART:20270420T100000Z", "DURATION:-PT1H"], "line 8 (DURATION)", "negative"),
        (
            ["DTSTART:20270420T100000Z", "DTEND:20270420T110000Z", "DURATION:PT1H"],
            "line 9 (DURATION)",
            "not both",
        ),
    ],
)
def test_malformed_event_values_name_the_line(lines: list[str], where: str, reason: str) -> None:
    with pytest.raises(AdapterError) as info:
        ics.load(_event(*lines), window=WINDOW, fetched_at=FETCHED, name="cal.ics")
    assert info.value.where == where
    assert reason in str(info.value)
    assert "CANARY" not in str(info.value) and "XX" not in str(info.value)


def test_free_busy_outside_the_window_leaves_its_owner_unknown(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    shutil.copytree(EXAMPLE, folder)
    fb = folder / "calendars" / "lead-amir-freebusy.ics"
    fb.write_text(fb.read_text("utf-8").replace("20270420T", "20270419T"), "utf-8")
    manifest = folder / "manifest.yaml"
    manifest.write_text(
        manifest.read_text("utf-8").replace("format: freebusy", "format: ics"), "utf-8"
    )
    req = assemble(manifest)
    amir = next(p for p in req.people if p.id == "lead-amir")
    assert [(b.start, b.end, b.kind.value) for b in amir.busy] == [
        (WINDOW.start, WINDOW.end, "unknown")
    ]
    result = solve(req)
    assert all(a.person != "lead-amir" for s in result.slots for a in s.assignments), (
        "an unreadable calendar must not be treated as free"
    )


@pytest.mark.parametrize(
    ("options", "value"),
    [("{bogus: 1}", "bogus"), ("{window: 1}", "window"), ("{fetched_at: 1}", "fetched_at")],
)
def test_bad_adapter_options_are_adapter_errors(tmp_path: Path, options: str, value: str) -> None:
    folder = tmp_path / "m"
    shutil.copytree(EXAMPLE, folder)
    manifest = folder / "manifest.yaml"
    manifest.write_text(
        manifest.read_text("utf-8").replace(
            "file: calendars/eng-dara.ics}", f"file: calendars/eng-dara.ics, options: {options}}}"
        ),
        "utf-8",
    )
    with pytest.raises(AdapterError) as info:
        assemble(manifest)
    assert info.value.where == "sources[0].options"
    assert info.value.value == value


def test_customer_needs_exactly_one_form() -> None:
    text = (
        (EXAMPLE / "manifest.yaml")
        .read_text("utf-8")
        .replace("customer: {source: crm-larkspur}", "customer: {}")
    )
    with pytest.raises(AdapterError) as info:
        parse_manifest(text, "manifest.yaml")
    assert info.value.where == "customer"


def test_huge_json_integer_is_an_adapter_error() -> None:
    with pytest.raises(AdapterError) as info:
        read_json(b'{"value": [' + b"9" * 5000 + b"]}", "graph.json")
    assert info.value.source == "graph.json"


def test_error_values_never_echo_free_text() -> None:
    assert safe_token("Lunch with CANARY") == "<17 characters>"
    assert safe_token("busy") == "busy"
    assert safe_token("2019-03-15T09:00:00.0000000") == "2019-03-15T09:00:00.0000000"
    assert safe_token("Pacific Standard Time") == "Pacific Standard Time"


def test_stale_calendar_of_a_candidate_blocks_an_escalation() -> None:
    data = load_example("northwind-escalate").model_dump(mode="json")
    data["sources"] = [
        {
            "id": "cal-mei",
            "kind": "calendar",
            "fetched_at": "2027-03-16T09:00:00Z",
            "people": ["lead-mei"],
        }
    ]
    result = solve(BridgeRequest.model_validate(data))
    assert result.status == Status.needs_refresh
    (reason,) = result.warnings
    assert reason.blocking
    assert "the escalation depends on the calendars of lead-mei" in reason.message


def test_source_kind_must_match_what_it_feeds() -> None:
    data = load_example().model_dump(mode="json")
    data["sources"] = [
        {
            "id": "c",
            "kind": "calendar",
            "fetched_at": "2027-03-16T11:00:00Z",
            "roles": ["support_lead"],
        }
    ]
    with pytest.raises(InputError) as info:
        solve(data)
    assert info.value.field == "sources[0].roles"


def test_too_many_events_are_refused_before_parsing() -> None:
    events = "".join(
        f"BEGIN:VEVENT\r\nUID:{i}\r\nDTSTART:20270420T090000Z\r\nDTEND:20270420T100000Z\r\n"
        "END:VEVENT\r\n"
        for i in range(ics.MAX_COMPONENTS + 1)
    )
    data = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n{events}END:VCALENDAR\r\n".encode()
    with pytest.raises(AdapterError) as info:
        ics.load(data, window=WINDOW, fetched_at=FETCHED, name="huge.ics")
    assert info.value.where == "file"
    assert info.value.value == str(ics.MAX_COMPONENTS + 1)
