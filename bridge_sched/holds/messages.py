"""Incident-room messages: plain text and Slack Block Kit JSON, built from ids and times only.

One function per moment of the workflow: a slot proposed, holds placed (with
their expiry), holds that could not be placed (whose calendar refused, and
what was released again), an approval needed (reasons and approver), the
bridge confirmed, an escalation raised, holds expired. Every message carries
the same content twice: ``text`` (also Slack's notification fallback) and
``blocks`` (a list of Block Kit ``section``/``context`` blocks).

A builder never posts a message about nothing: called without the holds,
people or approvals its message is about, it raises :class:`ValueError`
(a bug in the caller, not an event for the incident room).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
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
    "holds_confirmed",
    "holds_expired",
    "holds_failed",
    "holds_pending",
    "holds_placed",
    "holds_recovered",
    "holds_released",
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


def _slot_times(holds: Sequence[Hold]) -> list[dt.datetime]:
    return sorted({h.start for h in holds})


def _released_per_slot(holds: Sequence[Hold]) -> list[str]:
    """One ``Released for <time>: <people>`` line per slot."""
    return [
        f"Released for {_utc(start)}: {', '.join(h.person for h in holds if h.start == start)}"
        for start in _slot_times(holds)
    ]


def holds_placed(incident: str, holds: Sequence[Hold]) -> Message:
    """Tentative holds placed for one slot, and when they expire.

    Raises
    ------
    ValueError
        No holds, or holds of more than one slot. (A placement that failed is
        :func:`holds_failed`, not this.)
    """
    if not holds:
        raise ValueError(f"{incident}: holds_placed needs the placed holds; none were given")
    if len(_slot_times(holds)) != 1:
        raise ValueError(f"{incident}: holds_placed takes the holds of one slot")
    people = ", ".join(h.person for h in holds)
    expiry = min(h.expires_at for h in holds)
    return _message(
        f"{incident}: tentative holds placed for {_utc(holds[0].start)}",
        [f"Held for: {people}"],
        f"Holds expire at {_utc(expiry)} unless the bridge is confirmed.",
    )


def holds_failed(
    incident: str,
    failed: Sequence[str],
    released: Sequence[Hold],
    *,
    start: dt.datetime | None = None,
    skipped: Sequence[str] = (),
) -> Message:
    """Holds NOT placed: whose calendar refused, and which holds were released again.

    ``failed`` are the people whose calendar refused (``Placement.failed``),
    ``released`` the holds that had been placed and were released again
    because of it (may be empty: the first calendar refused), ``skipped`` the
    people never attempted (``Placement.skipped``). ``start`` names the slot
    (otherwise the released holds do, when there are any).

    Raises
    ------
    ValueError
        ``failed`` is empty (nothing failed), or ``released`` mixes slots.
    """
    if not failed:
        raise ValueError(f"{incident}: holds_failed needs whose calendar refused; none given")
    if len(_slot_times(released)) > 1:
        raise ValueError(f"{incident}: holds_failed takes the holds of one slot")
    when = start if start is not None else (released[0].start if released else None)
    title = f"{incident}: holds NOT placed" + (f" for {_utc(when)}" if when else "")
    lines = [f"Calendar refused: {', '.join(failed)}"]
    if released:
        lines.append(f"Released again: {', '.join(h.person for h in released)}")
    else:
        lines.append("Nothing had been placed, so nothing was released.")
    if skipped:
        lines.append(f"Not attempted: {', '.join(skipped)}")
    return _message(
        title,
        lines,
        "Nobody holds this slot: all attendees or none. Retry with a new key or pick another slot.",
    )


def approval_needed(incident: str, slot: Slot) -> Message:
    """The approvals slot #rank needs, with the approver.

    Raises
    ------
    ValueError
        The slot needs no approval.
    """
    if not slot.approvals:
        raise ValueError(f"{incident}: slot #{slot.rank} needs no approval")
    approvers = ", ".join(sorted({a.approver for a in slot.approvals}))
    return _message(
        f"{incident}: approval needed from {approvers} for {_utc(slot.start)}",
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


def holds_expired(incident: str, holds: Sequence[Hold]) -> Message:
    """Holds released because the response window passed unconfirmed (one line per slot).

    Raises
    ------
    ValueError
        No holds.
    """
    if not holds:
        raise ValueError(f"{incident}: holds_expired needs the expired holds; none were given")
    lines = _released_per_slot(holds)
    return _message(
        f"{incident}: tentative holds expired and were released",
        lines,
        f"Expired at {_utc(max(h.expires_at for h in holds))}.",
    )


def holds_released(incident: str, holds: Sequence[Hold], why: str) -> Message:
    """Holds released on request (cancel) or because another slot was confirmed.

    ``why`` is a short reason built from ids (e.g. ``"cancelled"``,
    ``"bridge confirmed on INC-4711/20270316T1530Z"``).

    Raises
    ------
    ValueError
        No holds.
    """
    if not holds:
        raise ValueError(f"{incident}: holds_released needs the released holds; none were given")
    lines = _released_per_slot(holds)
    return _message(f"{incident}: tentative holds released ({why})", lines)


def holds_pending(incident: str, holds: Sequence[Hold]) -> Message:
    """A placement or confirmation still in flight: another process is working on it, or
    a calendar failed and the next call (or sweep) retries.

    Raises
    ------
    ValueError
        No holds.
    """
    if not holds:
        raise ValueError(f"{incident}: holds_pending needs the pending holds; none were given")
    lines = [f"- {h.person}: {h.state} ({h.reason})" for h in holds]
    return _message(
        f"{incident}: holds in progress for {_utc(min(h.start for h in holds))}",
        lines,
        "Run the same step again or `bridge-sched sweep` to settle them.",
    )


def holds_confirmed(incident: str, holds: Sequence[Hold]) -> Message:
    """The holds of one slot are confirmed (without an invite packet; see
    :func:`bridge_confirmed` for the message with the link and local times).

    Raises
    ------
    ValueError
        No holds, or holds of more than one slot.
    """
    if not holds:
        raise ValueError(f"{incident}: holds_confirmed needs the holds; none were given")
    if len(_slot_times(holds)) != 1:
        raise ValueError(f"{incident}: holds_confirmed takes the holds of one slot")
    return _message(
        f"{incident}: bridge confirmed {_utc(holds[0].start)}-{holds[0].end:%H:%M} UTC",
        [f"Confirmed for: {', '.join(h.person for h in holds)}"],
    )


def holds_recovered(incident: str, holds: Sequence[Hold]) -> Message:
    """What recovery settled for one placement a crashed or stalled process left in flight.

    Raises
    ------
    ValueError
        No holds.
    """
    if not holds:
        raise ValueError(f"{incident}: holds_recovered needs the holds; none were given")
    lines = [f"- {h.person}: {h.state} ({h.reason})" for h in holds]
    return _message(
        f"{incident}: recovery settled the holds for {_utc(min(h.start for h in holds))}",
        lines,
        f"Placement {holds[0].key}.",
    )
