"""Incident-room messages: text and Block Kit carry ids and times only."""

from __future__ import annotations

import datetime as dt
import json

from bridge_sched import BridgeRequest, load_example, solve
from bridge_sched.holds import InMemoryGateway, Ledger, build_invite, place_holds, sweep
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
    expired = m.holds_expired("INC-4711", sweep(ledger, gw, SLA))
    assert expired.text.splitlines()[0] == "INC-4711: tentative holds expired and were released"
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
