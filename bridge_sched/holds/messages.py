"""Incident-room messages: plain text and Slack Block Kit JSON, built from ids and times only.

One function per moment of the workflow: a slot proposed, holds placed (with
their expiry), an approval needed (reasons and approver), the bridge
confirmed, an escalation raised, holds expired. Every message carries the
same content twice: ``text`` (also Slack's notification fallback) and
``blocks`` (a list of Block Kit ``section``/``context`` blocks).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict

from ..result import Escalation, Slot
from .invite import InvitePacket
from .ledger import Hold

__all__ = [
    "Message",
    "approval_needed",
    "bridge_confirmed",
    "escalated",
    "holds_expired",
    "holds_placed",
    "slot_proposed",
]


class Message(BaseModel):
    """A chat message: ``text`` and the same content as Block Kit ``blocks``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str
    blocks: tuple[dict[str, Any], ...]


def _utc(value: dt.datetime) -> str:
    return f"{value.astimezone(dt.timezone.utc):%Y-%m-%d %H:%M} UTC"


def _message(title: str, lines: list[str], context: str | None = None) -> Message:
    body = "\n".join(lines)
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{title}*\n{body}".rstrip()}}
    ]
    if context:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": context}]})
    text = f"{title}\n{body}".rstrip() + (f"\n{context}" if context else "")
    return Message(text=text, blocks=tuple(blocks))


def _who(slot: Slot) -> list[str]:
    return [
        f"- {a.role}: {a.person} ({a.local.start[11:16]} {a.local.abbreviation})"
        for a in slot.assignments
    ]


def slot_proposed(incident: str, slot: Slot) -> Message:
    """Slot #rank proposed, with each attendee's local time."""
    return _message(
        f"{incident}: bridge proposed {_utc(slot.start)}-{slot.end:%H:%M} UTC (#{slot.rank})",
        _who(slot),
    )


def holds_placed(incident: str, holds: list[Hold]) -> Message:
    """Tentative holds placed, and when they expire."""
    people = ", ".join(h.person for h in holds)
    expiry = min(h.expires_at for h in holds)
    return _message(
        f"{incident}: tentative holds placed for {_utc(holds[0].start)}",
        [f"Held for: {people}"],
        f"Holds expire at {_utc(expiry)} unless the bridge is confirmed.",
    )


def approval_needed(incident: str, slot: Slot) -> Message:
    """The approvals slot #rank needs, with the approver."""
    approver = slot.approvals[0].approver if slot.approvals else "-"
    return _message(
        f"{incident}: approval needed from {approver} for {_utc(slot.start)}",
        [f"- [{a.code.value}] {a.detail}" for a in slot.approvals],
    )


def bridge_confirmed(packet: InvitePacket) -> Message:
    """The bridge is confirmed: time, link and attendees."""
    return _message(
        f"{packet.incident}: bridge confirmed {_utc(packet.start)}-{packet.end:%H:%M} UTC",
        [f"Join: {packet.link}"]
        + [
            f"- {a.role}: {a.person} ({a.local.start[11:16]} {a.local.abbreviation})"
            for a in packet.attendees
        ],
    )


def escalated(incident: str, escalation: Escalation) -> Message:
    """An escalation: reasons, the first relaxations and who must decide."""
    lines = [f"- [{r.code.value}] {r.message}" for r in escalation.reasons]
    lines += [f"- option {i}: {x.message}" for i, x in enumerate(escalation.relaxations, start=1)]
    return _message(f"{incident}: ESCALATED to {escalation.approver}", lines)


def holds_expired(incident: str, holds: list[Hold]) -> Message:
    """Holds released because the response window passed unconfirmed."""
    people = ", ".join(h.person for h in holds)
    return _message(
        f"{incident}: tentative holds expired and were released",
        [f"Released for: {people}"],
        f"Expired at {_utc(max(h.expires_at for h in holds))}.",
    )
