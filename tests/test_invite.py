"""Invite packet: bounded authority, deterministic link, an .ics that clients import."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from pydantic import ValidationError

from bridge_sched import BridgeRequest, load_example, solve
from bridge_sched.errors import NaiveDatetimeError
from bridge_sched.holds import ApprovalGrant, AuthorityError, StubMeetingProvider, build_invite
from bridge_sched.result import ReasonCode, Slot

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
    assert [(a.code.value, a.person) for a in slot.approvals] == [("OUT_OF_HOURS", "eng-dara")]
    with pytest.raises(AuthorityError) as info:
        build_invite(req, slot, key="k", now=NOW)
    assert str(info.value) == (
        "slot #3 (2027-03-16T16:00:00Z) lacks approval: OUT_OF_HOURS for eng-dara "
        "(engineering_owner) must be approved by incident_leadership. No invite without it."
    )
    other = ApprovalGrant(
        approver="lead-kofi", authority="incident_leadership", at=NOW, codes=("STALE_DATA",)
    )
    with pytest.raises(AuthorityError, match="OUT_OF_HOURS for eng-dara"):
        build_invite(req, slot, key="k", now=NOW, approvals=(other,))
    grant = ApprovalGrant(
        approver="lead-kofi", authority="incident_leadership", at=NOW, codes=("OUT_OF_HOURS",)
    )
    packet = build_invite(req, slot, key="k", now=NOW, approvals=(other, grant))
    assert packet.approvals == (grant,)  # only the grants that covered an exception
    assert packet.approvals[0].codes == ("OUT_OF_HOURS",)


def _three_exceptions() -> tuple[BridgeRequest, Slot]:
    """Slot #1 needs OUT_OF_HOURS for eng-dara and ic-chen, and the customer-window exception."""
    data = load_example().model_dump(mode="json")
    for person in data["people"]:
        if person["id"] in ("eng-dara", "ic-chen", "ic-jonas"):
            person["working_hours"]["tue"] = []
    data["policy"]["customer_hours"] = {"start": "08:00", "end": "09:00"}
    req = BridgeRequest.model_validate(data)
    slot = solve(req).slots[0]
    assert [(a.code.value, a.approver, a.person) for a in slot.approvals] == [
        ("OUT_OF_HOURS", "incident_leadership", "eng-dara"),
        ("OUT_OF_HOURS", "incident_leadership", "ic-chen"),
        ("CUSTOMER_WINDOW_OUTSIDE_POLICY", "incident_leadership", None),
    ]
    return req, slot


def _grant(**changes: object) -> ApprovalGrant:
    fields: dict[str, object] = {
        "approver": "lead-kofi",
        "authority": "incident_leadership",
        "at": NOW - dt.timedelta(minutes=5),
        "codes": ("OUT_OF_HOURS",),
    }
    return ApprovalGrant.model_validate({**fields, **changes})


def test_a_grant_for_one_person_does_not_cover_another() -> None:
    req, slot = _three_exceptions()
    dara_only = _grant(people=("eng-dara",))
    customer = _grant(codes=("CUSTOMER_WINDOW_OUTSIDE_POLICY",))
    with pytest.raises(AuthorityError) as info:
        build_invite(req, slot, key="k", now=NOW, approvals=(dara_only, customer))
    assert str(info.value) == (
        "slot #1 (2027-03-16T15:30:00Z) lacks approval: OUT_OF_HOURS for ic-chen "
        "(incident_commander) must be approved by incident_leadership (rejected: grant by "
        "lead-kofi at 2027-03-16T11:40:00Z covers only eng-dara). No invite without it."
    )
    chen = _grant(approver="ic-jonas", people=("ic-chen",))
    packet = build_invite(req, slot, key="k", now=NOW, approvals=(dara_only, customer, chen))
    assert packet.approvals == (dara_only, customer, chen)
    # one grant without people covers the code for everyone
    anyone = _grant(codes=("OUT_OF_HOURS", "CUSTOMER_WINDOW_OUTSIDE_POLICY"))
    assert build_invite(req, slot, key="k", now=NOW, approvals=(anyone,)).approvals == (anyone,)


def test_a_grant_naming_people_does_not_cover_a_slot_wide_exception() -> None:
    req, slot = _three_exceptions()
    named = _grant(
        codes=("OUT_OF_HOURS", "CUSTOMER_WINDOW_OUTSIDE_POLICY"), people=("eng-dara", "ic-chen")
    )
    with pytest.raises(AuthorityError) as info:
        build_invite(req, slot, key="k", now=NOW, approvals=(named,))
    assert str(info.value) == (
        "slot #1 (2027-03-16T15:30:00Z) lacks approval: CUSTOMER_WINDOW_OUTSIDE_POLICY for "
        "the whole slot must be approved by incident_leadership (rejected: grant by lead-kofi "
        "at 2027-03-16T11:40:00Z covers only eng-dara, ic-chen). No invite without it."
    )


def test_grants_in_the_wrong_authority_or_from_the_future_are_rejected_with_the_reason() -> None:
    req, slot = _three_exceptions()
    on_call = _grant(authority="on_call", note="approved on the phone, call +1 555 0100")
    future = _grant(approver="ic-jonas", at=NOW + dt.timedelta(minutes=1))
    customer = _grant(codes=("CUSTOMER_WINDOW_OUTSIDE_POLICY",))
    with pytest.raises(AuthorityError) as info:
        build_invite(req, slot, key="k", now=NOW, approvals=(on_call, future, customer))
    rejected = (
        "(rejected: grant by lead-kofi at 2027-03-16T11:40:00Z is in authority 'on_call', "
        "not 'incident_leadership'; grant by ic-jonas at 2027-03-16T11:46:00Z is dated after "
        "now (2027-03-16T11:45:00Z))"
    )
    assert str(info.value) == (
        "slot #1 (2027-03-16T15:30:00Z) lacks approval: "
        f"OUT_OF_HOURS for eng-dara (engineering_owner) must be approved by incident_leadership "
        f"{rejected}; "
        f"OUT_OF_HOURS for ic-chen (incident_commander) must be approved by incident_leadership "
        f"{rejected}. No invite without it."
    )
    assert "+1 555" not in str(info.value)  # free text is never echoed
    # the same future grant is valid once its time has come
    later = NOW + dt.timedelta(minutes=1)
    packet = build_invite(req, slot, key="k", now=later, approvals=(on_call, future, customer))
    assert packet.approvals == (future, customer)


def test_an_approval_grant_is_accountable() -> None:
    grant = ApprovalGrant(
        approver="lead-kofi", authority="incident_leadership", at=NOW, codes=("OUT_OF_HOURS",)
    )
    assert grant.codes == (ReasonCode.OUT_OF_HOURS,) and grant.people == ()
    assert grant.model_dump(mode="json") == {
        "approver": "lead-kofi",
        "authority": "incident_leadership",
        "at": "2027-03-16T11:45:00Z",
        "codes": ["OUT_OF_HOURS"],
        "people": [],
        "note": "",
    }
    bad: list[dict[str, object]] = [
        {"authority": "incident_leadership", "at": NOW, "codes": ("OUT_OF_HOURS",)},  # no who
        {"approver": "lead-kofi", "at": NOW, "codes": ("OUT_OF_HOURS",)},  # no authority
        {"approver": "lead-kofi", "authority": "incident_leadership", "codes": ("OUT_OF_HOURS",)},
        {"approver": "lead-kofi", "authority": "incident_leadership", "at": NOW, "codes": ()},
        {"approver": "lead-kofi", "authority": "x", "at": NOW, "codes": ("NOT_A_CODE",)},
        {"approver": "Kofi Mensah", "authority": "x", "at": NOW, "codes": ("OUT_OF_HOURS",)},
        {"approver": "lead-kofi", "authority": "a\nb", "at": NOW, "codes": ("OUT_OF_HOURS",)},
        {
            "approver": "k",
            "authority": "x",
            "at": NOW.replace(tzinfo=None),
            "codes": ("OUT_OF_HOURS",),
        },
        {"approver": "k", "authority": "x", "at": NOW, "codes": ("OUT_OF_HOURS",), "extra": 1},
    ]
    for fields in bad:
        with pytest.raises(ValidationError):
            ApprovalGrant.model_validate(fields)


def test_now_must_be_an_instant() -> None:
    req = load_example()
    with pytest.raises(NaiveDatetimeError):
        build_invite(req, solve(req).slots[0], key="k", now=NOW.replace(tzinfo=None))


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
