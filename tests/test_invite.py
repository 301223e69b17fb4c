"""Invite packet: bounded authority, deterministic link, an .ics that clients import."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest

from bridge_sched import BridgeRequest, load_example, solve
from bridge_sched.holds import ApprovalGrant, AuthorityError, StubMeetingProvider, build_invite

UTC = dt.timezone.utc
NOW = dt.datetime(2027, 3, 16, 11, 45, tzinfo=UTC)


def test_packet_of_the_first_slot() -> None:
    req = load_example()
    slot = solve(req).slots[0]
    packet = build_invite(req, slot, key="INC-4711/1", now=NOW)
    assert packet.title == "[SEV1] INC-4711 incident bridge"
    assert packet.start == dt.datetime(2027, 3, 16, 15, 30, tzinfo=UTC)
    assert [(a.role, a.person) for a in packet.attendees][:2] == [
        ("customer_success", "csm-priya"),
        ("engineering_owner", "eng-dara"),
    ]
    assert packet.attendees[1].local.start == "2027-03-16T16:30:00+01:00"
    assert packet.customer is not None and packet.customer.abbreviation == "EDT"
    assert packet.link == StubMeetingProvider().link("INC-4711", packet.start, "INC-4711/1")
    assert packet.link.startswith("https://meet.example.invalid/bridge/")
    cal = icalendar.Calendar.from_ical(packet.ics)
    event = next(iter(cal.walk("VEVENT")))
    assert str(cal["method"]) == "REQUEST"
    assert event.decoded("dtstart") == packet.start
    assert len(event.get("attendee")) == 5
    assert "Halvorsen" not in packet.ics  # no customer-private text in the invite
    # deterministic: same inputs, same bytes
    assert build_invite(req, slot, key="INC-4711/1", now=NOW) == packet


def test_no_invite_without_the_approval_a_slot_needs() -> None:
    data = load_example().model_dump(mode="json")
    data["policy"]["substitution"] = "needs_approval"
    req = BridgeRequest.model_validate(data)
    slot = next(s for s in solve(req).slots if s.approvals)
    codes = tuple(sorted({a.code.value for a in slot.approvals}))
    with pytest.raises(AuthorityError) as info:
        build_invite(req, slot, key="k", now=NOW)
    assert f"needs approval for {', '.join(codes)}" in str(info.value)
    partial = ApprovalGrant(approver="incident_leadership", at=NOW, codes=codes[:-1])
    with pytest.raises(AuthorityError):
        build_invite(req, slot, key="k", now=NOW, approvals=(partial,))
    grant = ApprovalGrant(approver="incident_leadership", at=NOW, codes=codes)
    packet = build_invite(req, slot, key="k", now=NOW, approvals=(grant,))
    assert packet.approvals == (grant,)


def test_no_customer_invite_without_minimum_internal_coverage() -> None:
    req = load_example()
    slot = solve(req).slots[0]
    doubled = slot.model_copy(
        update={
            "assignments": (
                slot.assignments[0],
                slot.assignments[1].model_copy(update={"person": slot.assignments[0].person}),
                *slot.assignments[2:],
            )
        }
    )
    with pytest.raises(AuthorityError, match="minimum internal coverage"):
        build_invite(req, doubled, key="k", now=NOW)
