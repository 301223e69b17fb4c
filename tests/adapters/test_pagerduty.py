"""PagerDuty GET /oncalls adapter (fixtures written from the REST API reference, fictional)."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from bridge_sched.adapters import pagerduty
from bridge_sched.errors import AdapterError
from bridge_sched.model import Window

from .conftest import FETCHED

UTC = dt.timezone.utc
FIXTURES = Path(__file__).parent / "fixtures" / "pagerduty"
WINDOW = Window(
    start=dt.datetime(2027, 3, 16, 6, tzinfo=UTC), end=dt.datetime(2027, 3, 17, 6, tzinfo=UTC)
)
CANARIES = (
    "CANARY-NAME-44c",
    "canary.email.7d1@secret.example",
    "+1 555 0199 CANARY",
    "CANARY-POLICY-SUMMARY",
)


def z(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def spans(candidate: Any) -> list[tuple[dt.datetime, dt.datetime]]:
    return [(w.start, w.end) for w in candidate.on_call]


def test_one_page_two_policies() -> None:
    leadership, payments = pagerduty.load_oncalls(
        FIXTURES / "oncalls_page.json", fetched_at=FETCHED, window=WINDOW
    )
    assert (leadership.schedule, payments.schedule) == ("PNW0LDR", "PNW0PAY")
    # Level 1 first, then by first shift start: Chen (09:00Z) before Ana (13:00Z); Bo is level 2.
    assert [(c.level, c.account) for c in payments.candidates] == [
        (1, "PUSR0C3"),
        (1, "PUSR0A1"),
        (2, "PUSR0B2"),
    ]
    chen, ana, bo = payments.candidates
    assert spans(chen) == [(z("2027-03-16T09:00"), z("2027-03-16T13:00"))]
    # Ana's two shifts (13-17Z, 17-21Z) touch and merge.
    assert spans(ana) == [(z("2027-03-16T13:00"), z("2027-03-16T21:00"))]
    # 08:00+01:00 -> 07:00Z; 20:00+01:00 -> 19:00Z.
    assert spans(bo) == [(z("2027-03-16T07:00"), z("2027-03-16T19:00"))]
    # start/end null = permanently on call: bounded by the window.
    (dee,) = leadership.candidates
    assert spans(dee) == [(WINDOW.start, WINDOW.end)]
    assert payments.coverage == WINDOW
    assert payments.provenance.source == "pagerduty"
    assert payments.provenance.kind == "on_call"
    dumped = leadership.model_dump_json() + payments.model_dump_json() + repr(payments)
    for secret in ("Ana Ferreira", "ana.ferreira@", "Payments API", "Bo Lindqvist", "America/"):
        assert secret not in dumped


def test_permanent_on_call_needs_a_window() -> None:
    with pytest.raises(AdapterError, match="permanently on call") as info:
        pagerduty.load_oncalls(FIXTURES / "oncalls_page.json", fetched_at=FETCHED)
    assert info.value.where == "oncalls[4].start"
    assert info.value.value == "null"


def test_without_window_shifts_are_not_clipped() -> None:
    (payments,) = pagerduty.load_oncalls(
        FIXTURES / "oncalls_page.json", fetched_at=FETCHED, escalation_policy="PNW0PAY"
    )
    assert payments.coverage is None
    assert [c.account for c in payments.candidates] == ["PUSR0C3", "PUSR0A1", "PUSR0B2"]


def test_filter_by_policy_and_missing_policy(caplog: pytest.LogCaptureFixture) -> None:
    (only,) = pagerduty.load_oncalls(
        FIXTURES / "oncalls_page.json",
        fetched_at=FETCHED,
        window=WINDOW,
        escalation_policy="PNW0LDR",
    )
    assert only.schedule == "PNW0LDR"
    with caplog.at_level(logging.INFO, logger="bridge_sched"):
        (empty,) = pagerduty.load_oncalls(
            FIXTURES / "oncalls_page.json",
            fetched_at=FETCHED,
            window=WINDOW,
            escalation_policy="PNOPE",
        )
    assert empty.schedule == "PNOPE" and empty.candidates == ()
    assert "no on-call entry" in caplog.text


def test_window_drops_shifts_that_miss_it_and_keeps_true_bounds() -> None:
    window = Window(start=z("2027-03-16T12:00"), end=z("2027-03-16T14:00"))
    (_, payments) = pagerduty.load_oncalls(
        FIXTURES / "oncalls_page.json", fetched_at=FETCHED, window=window
    )
    # Shifts that meet 12-14Z keep their real bounds (the core checks that the
    # whole bridge lies inside one shift).
    assert [(c.account, spans(c)) for c in payments.candidates] == [
        ("PUSR0C3", [(z("2027-03-16T09:00"), z("2027-03-16T13:00"))]),
        # Ana's 13-21Z was two touching shifts; the 17-21Z one misses the window.
        ("PUSR0A1", [(z("2027-03-16T13:00"), z("2027-03-16T17:00"))]),
        ("PUSR0B2", [(z("2027-03-16T07:00"), z("2027-03-16T19:00"))]),
    ]
    late = Window(start=z("2027-03-16T19:30"), end=z("2027-03-16T22:00"))
    (_, payments) = pagerduty.load_oncalls(
        FIXTURES / "oncalls_page.json", fetched_at=FETCHED, window=late
    )
    # Only Ana (13-21Z) is on call after 19:30Z; Chen (until 13Z) and Bo (until 19Z) are dropped.
    assert [c.account for c in payments.candidates] == ["PUSR0A1"]


def test_pages_array_and_more_flag() -> None:
    (db,) = pagerduty.load_oncalls(FIXTURES / "oncalls_two_pages.json", fetched_at=FETCHED)
    (eli,) = db.candidates
    assert spans(eli) == [(z("2027-03-16T00:00"), z("2027-03-17T00:00"))]
    pages = json.loads((FIXTURES / "oncalls_two_pages.json").read_text())
    with pytest.raises(AdapterError, match="more pages exist") as info:
        pagerduty.load_oncalls(json.dumps(pages[0]).encode(), fetched_at=FETCHED)
    assert info.value.where == "more"


def _entry(**over: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "escalation_policy": {"id": "PX", "summary": CANARIES[3]},
        "escalation_level": 1,
        "schedule": None,
        "user": {
            "id": "PU1",
            "summary": CANARIES[0],
            "name": CANARIES[0],
            "email": CANARIES[1],
            "contact_methods": [{"address": CANARIES[2]}],
        },
        "start": "2027-03-16T09:00:00Z",
        "end": "2027-03-16T10:00:00Z",
    }
    entry.update(over)
    return entry


@pytest.mark.parametrize(
    ("over", "where", "token"),
    [
        ({"start": "2027-03-16T09:00:00"}, "oncalls[0].start", "2027-03-16T09:00:00"),
        ({"escalation_level": 0}, "oncalls[0].escalation_level", 0),
        ({"end": "2027-03-16T08:00:00Z"}, "oncalls[0].end", "2027-03-16T08:00:00+00:00"),
        ({"user": {"summary": "x"}}, "oncalls[0].user.id", "missing"),
    ],
)
def test_broken_entries(over: dict[str, Any], where: str, token: object) -> None:
    raw = json.dumps({"oncalls": [_entry(**over)], "more": False}).encode()
    with pytest.raises(AdapterError) as info:
        pagerduty.load_oncalls(raw, fetched_at=FETCHED)
    assert info.value.where == where
    assert info.value.value == str(token)


def test_privacy_canary(caplog: pytest.LogCaptureFixture) -> None:
    raw = json.dumps({"oncalls": [_entry()], "more": False}).encode()
    with caplog.at_level(logging.DEBUG, logger="bridge_sched"):
        parts = pagerduty.load_oncalls(raw, fetched_at=FETCHED, escalation_policy="PX")
    text = "".join(p.model_dump_json() + repr(p) for p in parts) + caplog.text
    assert "PU1" in text
    for canary in CANARIES:
        assert canary not in text
    broken = json.dumps({"oncalls": [_entry(start="2027-03-16T09:00:00")], "more": False})
    with pytest.raises(AdapterError) as err:
        pagerduty.load_oncalls(broken.encode(), fetched_at=FETCHED)
    for canary in CANARIES:
        assert canary not in str(err.value)
    with pytest.raises(AdapterError) as err:
        pagerduty.load_oncalls(raw[: raw.index(CANARIES[1].encode()) + 9], fetched_at=FETCHED)
    for canary in CANARIES:
        assert canary not in str(err.value) and canary[:9] not in str(err.value)
