"""The invite packet of a chosen slot, under bounded authority.

:func:`build_invite` refuses (:class:`AuthorityError`) to prepare a
customer-facing invite for a slot that needs an exception nobody approved
(every :class:`~bridge_sched.result.Approval` of the slot - one exception code,
for one person or for the whole slot - must be covered by an accountable
:class:`ApprovalGrant`: given by a named person, acting in the authority the
slot names, not after ``now``, for that code and that person), or that lacks
minimum internal coverage (every required role filled by a different person).
The packet holds a title built from the incident id and severity only, the
attendees with their roles and local times, the customer's local time, a
meeting link from a :class:`MeetingProvider`, an agenda skeleton and an
``.ics`` with ``METHOD:REQUEST`` that calendar clients import.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from ..errors import BridgeSchedError, NaiveDatetimeError
from ..model import BridgeRequest, Identifier, UtcDatetime
from ..result import Approval, LocalSpan, ReasonCode, Slot

__all__ = [
    "ApprovalGrant",
    "AuthorityError",
    "InvitePacket",
    "MeetingProvider",
    "StubMeetingProvider",
    "build_invite",
    "check_authority",
]


class AuthorityError(BridgeSchedError, PermissionError):
    """The library may not do this without an approval (bounded authority)."""


class ApprovalGrant(BaseModel):
    """One accountable approval: who approved which exceptions, in which authority, and when.

    Attributes
    ----------
    approver
        The person id of who approved (e.g. ``"lead-kofi"``).
    authority
        The authority they approved in. It must equal the ``approver`` of the
        slot's :class:`~bridge_sched.result.Approval` (the request's
        ``policy.approver``, e.g. ``"incident_leadership"``); a grant in any
        other authority covers nothing.
    at
        When it was approved; a grant dated after the ``now`` of
        :func:`build_invite` covers nothing.
    codes
        The exception codes approved (e.g. ``OUT_OF_HOURS``).
    people
        The people whose exceptions it approves; empty means anyone's. A grant
        that names people does not cover slot-wide exceptions (those without a
        person, such as ``CUSTOMER_WINDOW_OUTSIDE_POLICY``).
    note
        Free text for the audit log; never repeated in errors or messages.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    approver: Identifier
    authority: str = Field(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$")
    at: UtcDatetime
    codes: tuple[ReasonCode, ...] = Field(min_length=1)
    people: tuple[Identifier, ...] = ()
    note: str = Field(default="", max_length=500)

    def covers(self, approval: Approval) -> bool:
        """Whether this grant's authority, codes and people cover ``approval`` (time aside)."""
        return (
            self.authority == approval.approver
            and approval.code in self.codes
            and (not self.people or approval.person in self.people)
        )


class MeetingProvider(Protocol):
    """Makes the video-meeting link of a bridge (a hook for real providers)."""

    def link(self, incident: str, start: dt.datetime, key: str) -> str:
        """A link for the bridge of ``incident`` at ``start`` (placement ``key``)."""
        ...


class StubMeetingProvider:
    """Deterministic links ``<base>/<12 hex digits>`` from incident, start and key."""

    def __init__(self, base: str = "https://meet.example.invalid/bridge") -> None:
        self.base = base.rstrip("/")

    def link(self, incident: str, start: dt.datetime, key: str) -> str:
        digest = hashlib.sha256(f"{incident}|{start.isoformat()}|{key}".encode()).hexdigest()
        return f"{self.base}/{digest[:12]}"


class Attendee(BaseModel):
    """One invited responder."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    role: str
    person: str
    local: LocalSpan


class InvitePacket(BaseModel):
    """Everything a calendar invite and the incident room need for one bridge."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str
    incident: str
    start: dt.datetime
    end: dt.datetime
    attendees: tuple[Attendee, ...]
    customer: LocalSpan | None
    link: str
    agenda: tuple[str, ...]
    approvals: tuple[ApprovalGrant, ...]
    ics: str


def _utc_text(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _exception(approval: Approval) -> str:
    whom = f"{approval.person} ({approval.role})" if approval.person else "the whole slot"
    return f"{approval.code.value} for {whom} must be approved by {approval.approver}"


def _rejection(grant: ApprovalGrant, approval: Approval, now: dt.datetime) -> str | None:
    """Why ``grant`` (which names ``approval``'s code) does not cover it; ids and times only."""
    head = f"grant by {grant.approver} at {_utc_text(grant.at)}"
    if grant.authority != approval.approver:
        return f"{head} is in authority {grant.authority!r}, not {approval.approver!r}"
    if grant.at > now:
        return f"{head} is dated after now ({_utc_text(now)})"
    if grant.people and approval.person not in grant.people:
        return f"{head} covers only {', '.join(grant.people)}"
    return None


def _check_authority(
    slot: Slot, grants: tuple[ApprovalGrant, ...], now: dt.datetime
) -> tuple[ApprovalGrant, ...]:
    """Raise :class:`AuthorityError` unless every approval of ``slot`` is covered; the grants used."""
    return check_authority(
        slot.approvals,
        [a.person for a in slot.assignments],
        grants,
        now,
        f"slot #{slot.rank} ({_utc_text(slot.start)})",
    )


def check_authority(
    approvals: Sequence[Approval],
    people: Sequence[str],
    grants: Sequence[ApprovalGrant],
    now: dt.datetime,
    what: str,
) -> tuple[ApprovalGrant, ...]:
    """Bounded authority: raise :class:`AuthorityError` unless ``people`` (one per role)
    are distinct and every exception in ``approvals`` is covered by a grant dated no
    later than ``now``; returns the grants that covered something, in the given order.

    ``what`` names the thing refused in the message (a slot, a placement key).
    """
    grants = tuple(grants)
    if len(set(people)) != len(people):
        raise AuthorityError(
            "minimum internal coverage not met: one person fills two roles; "
            "no customer-facing invite without distinct responders"
        )
    valid = [g for g in grants if g.at <= now]
    used: list[ApprovalGrant] = []
    missing: list[str] = []
    for approval in approvals:
        covering = [g for g in valid if g.covers(approval)]
        if covering:
            used += [g for g in covering if g not in used]
            continue
        why = [
            r
            for g in grants
            if approval.code in g.codes and (r := _rejection(g, approval, now)) is not None
        ]
        missing.append(_exception(approval) + (f" (rejected: {'; '.join(why)})" if why else ""))
    if missing:
        raise AuthorityError(f"{what} lacks approval: {'; '.join(missing)}. No invite without it.")
    return tuple(g for g in grants if g in used)


def _ics(packet: InvitePacket, key: str, now: dt.datetime) -> str:
    from icalendar import Calendar, Event, vCalAddress

    cal = Calendar()
    cal.add("prodid", "-//bridge_sched//invite//EN")
    cal.add("version", "2.0")
    cal.add("method", "REQUEST")
    event = Event()
    event.add("uid", f"{hashlib.sha256(key.encode()).hexdigest()[:20]}@bridge-sched")
    event.add("dtstamp", now.astimezone(dt.timezone.utc))
    event.add("dtstart", packet.start)
    event.add("dtend", packet.end)
    event.add("summary", packet.title)
    event.add("location", packet.link)
    event.add("description", "\n".join(packet.agenda))
    event.add("status", "CONFIRMED")
    event.add("sequence", 0)
    event.add("x-bridge-sched-incident", packet.incident)
    for a in packet.attendees:
        attendee = vCalAddress(f"urn:bridge-sched:person:{a.person}")
        attendee.params["CN"] = a.person
        attendee.params["ROLE"] = "REQ-PARTICIPANT"
        attendee.params["PARTSTAT"] = "NEEDS-ACTION"
        event.add("attendee", attendee, encode=False)
    cal.add_component(event)
    return str(cal.to_ical().decode())


def build_invite(
    request: BridgeRequest,
    slot: Slot,
    *,
    key: str,
    now: dt.datetime,
    provider: MeetingProvider | None = None,
    approvals: tuple[ApprovalGrant, ...] = (),
) -> InvitePacket:
    """The invite packet of ``slot`` (see the module doc for when it refuses).

    ``packet.approvals`` are the grants that covered the slot's approvals (in
    the order given); grants that covered nothing are left out.

    Raises
    ------
    AuthorityError
        An approval of the slot that no valid grant covers (the message names
        each such exception, for whom, the authority that must approve it, and
        why grants naming its code were rejected), or one person in two roles.
    NaiveDatetimeError
        ``now`` without a UTC offset.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise NaiveDatetimeError("now", now.isoformat(), "needs a UTC offset")
    used = _check_authority(slot, approvals, now)
    provider = provider or StubMeetingProvider()
    incident = request.incident
    title = f"[{incident.severity.value.upper()}] {incident.id} incident bridge"
    agenda = (
        f"1. Status of {incident.id} ({incident.component}) - incident commander",
        "2. Customer impact and the update to send - customer success",
        "3. Mitigation and next steps - engineering owner",
        "4. Owners and time of the next update",
    )
    packet = InvitePacket(
        title=title,
        incident=incident.id,
        start=slot.start,
        end=slot.end,
        attendees=tuple(
            Attendee(role=a.role, person=a.person, local=a.local) for a in slot.assignments
        ),
        customer=slot.customer,
        link=provider.link(incident.id, slot.start, key),
        agenda=agenda,
        approvals=used,
        ics="",
    )
    return packet.model_copy(update={"ics": _ics(packet, key, now)})
