"""The invite packet of a chosen slot, under bounded authority.

:func:`build_invite` refuses (:class:`AuthorityError`) to prepare a
customer-facing invite for a slot that needs an exception nobody approved
(every approval code of the slot must be covered by an :class:`ApprovalGrant`),
or that lacks minimum internal coverage (every required role filled by a
different person). The packet holds a title built from the incident id and
severity only, the attendees with their roles and local times, the customer's
local time, a meeting link from a :class:`MeetingProvider`, an agenda skeleton
and an ``.ics`` with ``METHOD:REQUEST`` that calendar clients import.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from ..errors import BridgeSchedError
from ..model import BridgeRequest, UtcDatetime
from ..result import LocalSpan, Slot

__all__ = [
    "ApprovalGrant",
    "AuthorityError",
    "InvitePacket",
    "MeetingProvider",
    "StubMeetingProvider",
    "build_invite",
]


class AuthorityError(BridgeSchedError, PermissionError):
    """The library may not do this without an approval (bounded authority)."""


class ApprovalGrant(BaseModel):
    """Who approved which exception codes of a slot, and when (it is logged)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    approver: str = Field(min_length=1, max_length=64)
    at: UtcDatetime
    codes: tuple[str, ...]
    note: str = Field(default="", max_length=500)


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


def _check_authority(slot: Slot, grants: tuple[ApprovalGrant, ...]) -> None:
    people = [a.person for a in slot.assignments]
    if len(set(people)) != len(people):
        raise AuthorityError(
            "minimum internal coverage not met: one person fills two roles; "
            "no customer-facing invite without distinct responders"
        )
    granted = {code for g in grants for code in g.codes}
    missing = sorted({a.code.value for a in slot.approvals} - granted)
    if missing:
        raise AuthorityError(
            f"slot #{slot.rank} needs approval for {', '.join(missing)} "
            f"(approver: {slot.approvals[0].approver}); no invite without it"
        )


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
    """The invite packet of ``slot`` (see the module doc for when it refuses)."""
    _check_authority(slot, approvals)
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
        approvals=approvals,
        ics="",
    )
    return packet.model_copy(update={"ics": _ics(packet, key, now)})
