"""Incident-room messages: text and Block Kit carry ids and times only."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from bridge_sched import BridgeRequest, load_example, solve
from bridge_sched.holds import (
    Hold,
    HoldState,
    InMemoryGateway,
    Ledger,
    build_invite,
    hold_id,
    place_holds,
    sweep,
)
from bridge_sched.holds import messages as m

UTC = dt.timezone.utc
NOW = dt.datetime(2027, 3, 16, 11, 45, tzinfo=UTC)
SLA = dt.datetime(2027, 3, 16, 17, 30, tzinfo=UTC)


def test_messages_of_the_whole_flow(tmp_path) -> None:  # type: ignore[no-untyped-def]
    req = load_example()
    slot = solve(req).slots[0]
    proposed = m.slot_proposed("INC-4711", slot)
    assert proposed.text.splitlines()[0] == (
        "INC-4711: bridge proposed 2027-03-16 15:30 UTC-16:00 UTC (#1)"
    )
    assert "- engineering_owner: eng-dara (16:30 CET)" in proposed.text
    assert proposed.blocks[0]["type"] == "section"

    ledger, gw = Ledger(tmp_path / "l.db"), InMemoryGateway()
    placement = place_holds(
        ledger,
        gw,
        key="INC-4711/1",
        incident="INC-4711",
        people=[a.person for a in slot.assignments],
        start=slot.start,
        end=slot.end,
        expires_at=SLA,
        now=NOW,
    )
    placed = m.holds_placed("INC-4711", list(placement.holds))
    assert placed.blocks[1]["elements"][0]["text"] == (
        "Holds expire at 2027-03-16 17:30 UTC unless the bridge is confirmed."
    )
    confirmed = m.bridge_confirmed(build_invite(req, slot, key="INC-4711/1", now=NOW))
    assert "Join: https://meet.example.invalid/bridge/" in confirmed.text
    sweep(ledger, gw, SLA)
    expired = m.holds_expired("INC-4711", ledger.holds(states=["expired"]))
    assert expired.text.splitlines() == [
        "INC-4711: tentative holds expired and were released",
        "Released for 2027-03-16 15:30 UTC: csm-priya, eng-dara, ic-chen, lead-kofi, sup-amara",
        "Expired at 2027-03-16 17:30 UTC.",
    ]
    for msg in (proposed, placed, confirmed, expired):
        json.dumps(msg.blocks)  # valid JSON for the chat API
        assert "Halvorsen" not in msg.text


def test_escalation_and_approval_messages() -> None:
    esc = solve(load_example("northwind-escalate")).escalation
    assert esc is not None
    msg = m.escalated("INC-4712", esc)
    assert msg.text.splitlines()[0] == "INC-4712: ESCALATED to incident_leadership"
    assert "- option 1: allow eng-hiro inside protected overnight hours" in msg.text
    data = load_example().model_dump(mode="json")
    data["policy"]["substitution"] = "needs_approval"
    slot = next(s for s in solve(BridgeRequest.model_validate(data)).slots if s.approvals)
    approval = m.approval_needed("INC-4711", slot)
    assert approval.text.splitlines()[0] == (
        f"INC-4711: approval needed from incident_leadership for {slot.start:%Y-%m-%d %H:%M} UTC"
    )
    assert all(f"[{a.code.value}]" in approval.text for a in slot.approvals)


START = dt.datetime(2027, 3, 16, 15, 30, tzinfo=UTC)


def _hold(person: str, state: HoldState, start: dt.datetime = START) -> Hold:
    key = f"INC-4711/{start:%Y%m%dT%H%MZ}"
    return Hold(
        id=hold_id(key, person),
        key=key,
        incident="INC-4711",
        person=person,
        start=start,
        end=start + dt.timedelta(minutes=30),
        expires_at=SLA,
        state=state,
    )


def test_holds_failed_names_who_refused_and_what_was_released() -> None:
    released = [_hold("csm-priya", "released"), _hold("eng-dara", "released")]
    msg = m.holds_failed("INC-4711", ["ic-chen"], released, skipped=["lead-kofi", "sup-amara"])
    assert msg.text.splitlines() == [
        "INC-4711: holds NOT placed for 2027-03-16 15:30 UTC",
        "Calendar refused: ic-chen",
        "Released again: csm-priya, eng-dara",
        "Not attempted: lead-kofi, sup-amara",
        "Nobody holds this slot: all attendees or none. Retry with a new key or pick another slot.",
    ]
    assert msg.blocks == (
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "*INC-4711: holds NOT placed for 2027-03-16 15:30 UTC*\n"
                "Calendar refused: ic-chen\nReleased again: csm-priya, eng-dara\n"
                "Not attempted: lead-kofi, sup-amara",
            },
        },
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": "Nobody holds this slot: all attendees or none. "
                    "Retry with a new key or pick another slot.",
                }
            ],
        },
    )
    json.dumps(msg.blocks)
    assert "holds_failed" in m.__all__


def test_holds_failed_when_the_first_calendar_refused() -> None:
    msg = m.holds_failed("INC-4711", ["csm-priya"], [], start=START)
    assert msg.text.splitlines()[:3] == [
        "INC-4711: holds NOT placed for 2027-03-16 15:30 UTC",
        "Calendar refused: csm-priya",
        "Nothing had been placed, so nothing was released.",
    ]
    # without a start or a released hold the title names no time
    assert m.holds_failed("INC-4711", ["csm-priya"], []).text.splitlines()[0] == (
        "INC-4711: holds NOT placed"
    )


def test_a_message_about_nothing_is_a_value_error() -> None:
    with pytest.raises(ValueError, match=r"^INC-4711: holds_placed needs the placed holds"):
        m.holds_placed("INC-4711", [])
    with pytest.raises(ValueError, match=r"^INC-4711: holds_expired needs the expired holds"):
        m.holds_expired("INC-4711", [])
    with pytest.raises(ValueError, match=r"^INC-4711: holds_failed needs whose calendar refused"):
        m.holds_failed("INC-4711", [], [_hold("csm-priya", "released")])
    slot = solve(load_example()).slots[0]
    assert slot.approvals == ()
    with pytest.raises(ValueError, match=r"^INC-4711: slot #1 needs no approval$"):
        m.approval_needed("INC-4711", slot)


def test_holds_of_two_slots() -> None:
    later = START + dt.timedelta(hours=1)
    two = [_hold("csm-priya", "placed"), _hold("csm-priya", "placed", later)]
    with pytest.raises(ValueError, match="one slot"):
        m.holds_placed("INC-4711", two)
    with pytest.raises(ValueError, match="one slot"):
        m.holds_failed("INC-4711", ["eng-dara"], two)
    expired = [
        _hold("csm-priya", "expired"),
        _hold("eng-dara", "expired"),
        _hold("csm-priya", "expired", later),
    ]
    assert m.holds_expired("INC-4711", expired).text.splitlines()[1:3] == [
        "Released for 2027-03-16 15:30 UTC: csm-priya, eng-dara",
        "Released for 2027-03-16 16:30 UTC: csm-priya",
    ]
