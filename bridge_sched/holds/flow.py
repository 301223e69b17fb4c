"""``propose -> hold -> approve -> confirm | release``: the bridge workflow in one object.

Each step writes the ledger (holds and approvals) and, when a log is given,
the audit log, and returns the incident-room message for it. Bounded
authority is enforced twice: :meth:`BridgeWorkflow.confirm` builds the invite
packet *before* it confirms any hold, and the ledger's
:func:`~bridge_sched.holds.confirm` itself refuses a placement whose recorded
exceptions lack a recorded approval, so no path (library, CLI, another
process) confirms a slot that needs an unapproved exception or lacks distinct
responders. Approvals live in the ledger, so they survive restarts and are
seen by every process.
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
from .ledger import Hold, Ledger, PlacementConflict
from .workflow import (
    DEFAULT_LEASE,
    Placement,
    SweepReport,
    approve,
    confirm,
    place_holds,
    release,
    sweep,
)

__all__ = ["BridgeWorkflow", "Step"]


@dataclass(frozen=True)
class Step:
    """What one workflow step produced: its messages (the first is the headline), and
    the placement, packet or sweep report if any."""

    message: messages.Message
    placement: Placement | None = None
    packet: InvitePacket | None = None
    more: tuple[messages.Message, ...] = ()
    report: SweepReport | None = None


class BridgeWorkflow:
    """The workflow over one ledger, one calendar gateway and an optional audit log.

    Parameters
    ----------
    ledger, gateway
        Where holds are recorded and placed.
    log
        Audit log for decisions, approvals and hold events (optional).
    provider
        Meeting-link provider for the invite (default: the deterministic stub).
    lease
        How long an in-flight step owns its rows (see :mod:`~bridge_sched.holds.workflow`).
    """

    def __init__(
        self,
        ledger: Ledger,
        gateway: CalendarGateway,
        log: AuditLog | None = None,
        provider: MeetingProvider | None = None,
        lease: dt.timedelta = DEFAULT_LEASE,
    ) -> None:
        self.ledger = ledger
        self.gateway = gateway
        self.log = log
        self.provider = provider
        self.lease = lease

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
        """The default placement key of ``slot``: ``<incident>/<start>``."""
        return f"{request.incident.id}/{slot.start:%Y%m%dT%H%MZ}"

    def hold(
        self,
        request: BridgeRequest,
        slot: Slot,
        expires_at: dt.datetime | None = None,
        *,
        key: str | None = None,
        now: dt.datetime | None = None,
    ) -> Step:
        """Hold ``slot`` for its attendees until ``expires_at`` (default: the window end,
        i.e. the escalation SLA). ``now`` defaults to the request's ``now``.

        The headline message says the holds were placed, NOT placed (who refused,
        what was released again) or are still in progress; when the slot needs
        exceptions, an approval-needed message follows in :attr:`Step.more`.
        """
        now = now or request.now
        incident = request.incident.id
        placement = place_holds(
            self.ledger,
            self.gateway,
            key=key or self.key(request, slot),
            incident=incident,
            people=[a.person for a in slot.assignments],
            roles=[(a.role, a.person) for a in slot.assignments],
            needs=slot.approvals,
            start=slot.start,
            end=slot.end,
            expires_at=expires_at or request.window.end,
            now=now,
            lease=self.lease,
        )
        holds = list(placement.holds)
        more: tuple[messages.Message, ...] = ()
        if placement.ok:
            self._record("holds_placed", incident, now, holds)
            message = messages.holds_placed(incident, holds)
            if slot.approvals:
                more = (messages.approval_needed(incident, slot),)
        elif placement.status == "in_progress":
            self._record("holds_pending", incident, now, holds)
            message = messages.holds_pending(incident, list(placement.pending))
        elif placement.failed:
            self._record("holds_failed", incident, now, holds)
            message = messages.holds_failed(
                incident,
                placement.failed,
                [h for h in holds if h.state == "released"],
                start=slot.start,
                skipped=placement.skipped,
            )
        else:  # the key was used before and its holds are gone (released or expired)
            self._record("holds_released", incident, now, holds)
            message = messages.holds_released(incident, holds, f"placement {placement.status}")
        return Step(message, placement=placement, more=more)

    def approve(self, key: str, grant: ApprovalGrant, now: dt.datetime | None = None) -> None:
        """Record an approval for the placement ``key`` in the ledger and the audit log.

        ``now`` (when it is recorded) defaults to ``grant.at``.
        """
        now = now or grant.at
        approve(self.ledger, key, grant, now)
        incident = self.ledger.holds(key=key)[0].incident
        if self.log is not None:
            payload = grant.model_dump(mode="json")
            payload["granted_at"] = payload.pop("at")  # the record's "at" is when it was recorded
            self.log.record_event("approval_granted", incident, now, {"key": key, **payload})

    def confirm(
        self, request: BridgeRequest, slot: Slot, now: dt.datetime, *, key: str | None = None
    ) -> Step:
        """Build the invite (refusing without approvals or coverage), then confirm the holds
        and release the incident's other holds.

        Raises
        ------
        AuthorityError
            The slot needs an exception no recorded approval covers, or lacks
            distinct responders; nothing is confirmed or sent.
        PlacementConflict
            The placement is not held, expired, or the incident is confirmed elsewhere.
        """
        key = key or self.key(request, slot)
        self._same_slot(key, request, slot)
        grants = tuple(
            ApprovalGrant.model_validate_json(g) for g in self.ledger.approvals(key, until=now)
        )
        packet = build_invite(
            request, slot, key=key, now=now, provider=self.provider, approvals=grants
        )
        placement, more = self._confirm(key, now)
        if placement.status != "confirmed":  # no invite for a bridge that is not confirmed
            return Step(more[0], placement=placement, more=more[1:])
        return Step(
            messages.bridge_confirmed(packet), placement=placement, packet=packet, more=more
        )

    def _same_slot(self, key: str, request: BridgeRequest, slot: Slot) -> None:
        """The invite must describe the slot whose holds are confirmed."""
        holds = self.ledger.holds(key=key)
        if not holds:
            raise PlacementConflict("key", key, "no placement with this key in the ledger")
        have = (holds[0].incident, holds[0].start, holds[0].end, sorted(h.person for h in holds))
        want = (
            request.incident.id,
            slot.start,
            slot.end,
            sorted({a.person for a in slot.assignments}),
        )
        if have != want:
            names = ("incident", "start", "end", "attendees")
            differ = [n for n, a, b in zip(names, have, want, strict=True) if a != b]
            raise PlacementConflict(
                "key",
                key,
                f"holds a different slot than the one to invite to (differs in "
                f"{', '.join(differ)}); check --request and --rank",
            )

    def confirm_holds(self, key: str, now: dt.datetime) -> Step:
        """Confirm a placement without building an invite (e.g. from the CLI without the
        request). Bounded authority still applies: the ledger checks the exceptions and
        approvals recorded with the placement."""
        placement, more = self._confirm(key, now)
        holds = list(placement.holds)
        if placement.status == "confirmed":
            return Step(
                messages.holds_confirmed(holds[0].incident, holds), placement=placement, more=more
            )
        return Step(more[0], placement=placement, more=more[1:])

    def _confirm(
        self, key: str, now: dt.datetime
    ) -> tuple[Placement, tuple[messages.Message, ...]]:
        """Confirm in the ledger; the messages beyond the headline. When the placement did
        not end confirmed (in progress, or cancelled by another process meanwhile) the
        first message says so and nothing is logged as confirmed."""
        before = self.ledger.holds(key=key)
        incident = before[0].incident if before else ""
        live = {h.id for h in self.ledger.holds(incident=incident) if h.key != key}
        placement = confirm(self.ledger, self.gateway, key, now, lease=self.lease)
        holds = list(placement.holds)
        incident = holds[0].incident
        released = [
            h
            for h in self.ledger.holds(incident=incident, states=["released"])
            if h.id in live and h.reason == "superseded"
        ]
        self._record("holds_released", incident, now, released)
        more: tuple[messages.Message, ...] = (
            (messages.holds_released(incident, released, f"bridge confirmed on {key}"),)
            if released
            else ()
        )
        if placement.status == "confirmed":
            self._record("holds_confirmed", incident, now, holds)
        elif placement.status == "in_progress":
            self._record("holds_pending", incident, now, holds)
            more = (messages.holds_pending(incident, list(placement.pending)), *more)
        else:  # another process cancelled it while this confirmation ran
            self._record("holds_released", incident, now, holds)
            more = (
                messages.holds_released(incident, holds, f"placement {placement.status}"),
                *more,
            )
        return placement, more

    def release(self, key: str, now: dt.datetime) -> Step:
        """Cancel a placement (confirmed or not)."""
        placement = release(self.ledger, self.gateway, key, now, lease=self.lease)
        holds = list(placement.holds)
        incident = holds[0].incident
        self._record("holds_released", incident, now, holds)
        gone = [h for h in holds if h.state == "released"]
        pending = list(placement.pending)
        if gone:
            message = messages.holds_released(incident, gone, "cancelled")
            more = (messages.holds_pending(incident, pending),) if pending else ()
        else:
            message, more = messages.holds_pending(incident, pending or holds), ()
        return Step(message, placement=placement, more=more)

    def sweep(self, now: dt.datetime) -> list[Step]:
        """Recover crashed steps and expire overdue holds; one message per incident."""
        report = sweep(self.ledger, self.gateway, now, lease=self.lease)
        steps = []
        for key in report.recovered:
            settled = self.ledger.holds(key=key)
            if settled:
                self._record("holds_recovered", settled[0].incident, now, settled)
                steps.append(
                    Step(messages.holds_recovered(settled[0].incident, settled), report=report)
                )
        for incident in sorted({h.incident for h in report.expired}):
            mine = [h for h in report.expired if h.incident == incident]
            self._record("holds_expired", incident, now, mine)
            steps.append(Step(messages.holds_expired(incident, mine), report=report))
        for incident in sorted({h.incident for h in report.stuck}):
            mine = [h for h in report.stuck if h.incident == incident]
            steps.append(Step(messages.holds_pending(incident, mine), report=report))
        return steps

    def _record(self, event: str, incident: str, now: dt.datetime, holds: list[Hold]) -> None:
        if self.log is not None and holds:
            self.log.record_holds(event, incident, now, holds)
