"""``propose -> hold -> approve -> confirm | release``: the bridge workflow in one object.

Each step writes the ledger (holds) and, when a log is given, the audit log,
and returns the incident-room message for it. Bounded authority is enforced
here: :meth:`BridgeWorkflow.confirm` builds the invite packet *before* it
confirms any hold, so a slot that needs an unapproved exception (or lacks
distinct responders) raises :class:`~bridge_sched.holds.AuthorityError` and
nothing is confirmed or sent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..audit import AuditLog
from ..model import BridgeRequest
from ..result import BridgeResult, Slot
from ..solve import SolveParams, solve
from . import messages
from .gateway import CalendarGateway
from .invite import ApprovalGrant, InvitePacket, MeetingProvider, build_invite
from .ledger import Hold, Ledger
from .workflow import Placement, confirm, place_holds, release, sweep

__all__ = ["BridgeWorkflow", "Step"]


@dataclass(frozen=True)
class Step:
    """What one workflow step produced: its message, and the placement or packet if any."""

    message: messages.Message
    placement: Placement | None = None
    packet: InvitePacket | None = None


class BridgeWorkflow:
    """The workflow over one ledger, one calendar gateway and an optional audit log."""

    def __init__(
        self,
        ledger: Ledger,
        gateway: CalendarGateway,
        log: AuditLog | None = None,
        provider: MeetingProvider | None = None,
    ) -> None:
        self.ledger = ledger
        self.gateway = gateway
        self.log = log
        self.provider = provider
        self._grants: dict[str, list[ApprovalGrant]] = {}

    def propose(
        self, request: BridgeRequest, params: SolveParams | None = None
    ) -> tuple[BridgeResult, Step]:
        """Solve (and log the decision); the message proposes slot #1 or escalates."""
        result = self.log.solve(request, params) if self.log else solve(request, params)
        incident = request.incident.id
        if result.escalation is not None:
            return result, Step(messages.escalated(incident, result.escalation))
        slot = result.slots[0]
        if slot.approvals:
            return result, Step(messages.approval_needed(incident, slot))
        return result, Step(messages.slot_proposed(incident, slot))

    @staticmethod
    def key(request: BridgeRequest, slot: Slot) -> str:
        """The placement key of ``slot``: ``<incident>/<start>``."""
        return f"{request.incident.id}/{slot.start:%Y%m%dT%H%MZ}"

    def hold(
        self, request: BridgeRequest, slot: Slot, expires_at: dt.datetime | None = None
    ) -> Step:
        """Hold ``slot`` for its attendees until ``expires_at`` (default: the window end)."""
        now = request.now
        placement = place_holds(
            self.ledger,
            self.gateway,
            key=self.key(request, slot),
            incident=request.incident.id,
            people=[a.person for a in slot.assignments],
            start=slot.start,
            end=slot.end,
            expires_at=expires_at or request.window.end,
            now=now,
        )
        holds = list(placement.holds)
        self._record(
            "holds_placed" if placement.ok else "holds_failed", request.incident.id, now, holds
        )
        return Step(messages.holds_placed(request.incident.id, holds), placement=placement)

    def approve(self, key: str, grant: ApprovalGrant, incident: str) -> None:
        """Record an approval for the placement ``key`` (used by :meth:`confirm`); it is logged."""
        self._grants.setdefault(key, []).append(grant)
        if self.log is not None:
            self.log.record_event(
                "approval_granted",
                incident,
                grant.at,
                {"key": key, **grant.model_dump(mode="json")},
            )

    def confirm(self, request: BridgeRequest, slot: Slot, now: dt.datetime) -> Step:
        """Build the invite (refusing without approvals or coverage), then confirm the holds."""
        key = self.key(request, slot)
        packet = build_invite(
            request,
            slot,
            key=key,
            now=now,
            provider=self.provider,
            approvals=tuple(self._grants.get(key, ())),
        )
        others = [
            h.id
            for h in self.ledger.holds(incident=request.incident.id, states=["placed"])
            if h.key != key
        ]
        placement = confirm(self.ledger, self.gateway, key, now)
        self._record("holds_confirmed", request.incident.id, now, list(placement.holds))
        released = [self.ledger.get(i) for i in others]
        self._record("holds_released", request.incident.id, now, released)
        return Step(messages.bridge_confirmed(packet), placement=placement, packet=packet)

    def release(self, key: str, now: dt.datetime) -> Placement:
        """Cancel a placement."""
        placement = release(self.ledger, self.gateway, key, now)
        if placement.holds:
            self._record("holds_released", placement.holds[0].incident, now, list(placement.holds))
        return placement

    def sweep(self, now: dt.datetime) -> list[Step]:
        """Expire overdue holds; one message per incident."""
        expired = sweep(self.ledger, self.gateway, now)
        steps = []
        for incident in sorted({h.incident for h in expired}):
            mine = [h for h in expired if h.incident == incident]
            self._record("holds_expired", incident, now, mine)
            steps.append(Step(messages.holds_expired(incident, mine)))
        return steps

    def _record(self, event: str, incident: str, now: dt.datetime, holds: list[Hold]) -> None:
        if self.log is not None and holds:
            self.log.record_holds(event, incident, now, holds)
