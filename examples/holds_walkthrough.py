"""The whole bridge workflow on the embedded example, printing each incident-room message.

    python examples/holds_walkthrough.py                              # in-memory calendars
    python examples/holds_walkthrough.py --caldav http://127.0.0.1:5232/bridge   # a CalDAV server

1. propose -> hold slots #1 and #2 (they expire at the SLA) -> confirm #1
   (which releases #2) -> invite .ics;
2. a slot that needs an exception: confirming is refused (bounded authority)
   until incident leadership's approval is recorded;
3. a calendar that refuses: nobody holds the slot (all attendees or none);
4. a process that dies half-way through placing: the next sweep, once the
   lease has run out, settles the ledger and the calendars;
5. holds nobody confirms, released by the sweep at the SLA (last, so that the
   audit log's times run forward).

Ends with the audit log's timeline.
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
from pathlib import Path

from bridge_sched import BridgeRequest, load_example
from bridge_sched.audit import AuditLog, replay
from bridge_sched.holds import (
    DEFAULT_LEASE,
    ApprovalGrant,
    AuthorityError,
    BridgeWorkflow,
    CalDavGateway,
    InMemoryGateway,
    Ledger,
    place_holds,
)


class _Died(BaseException):
    """Stands in for a process killed half-way (the library catches nothing of it)."""


def _renamed(request: BridgeRequest, incident: str, **policy: object) -> BridgeRequest:
    data = request.model_dump(mode="json")
    data["incident"]["id"] = incident
    data["policy"].update(policy)
    return BridgeRequest.model_validate(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--caldav", help="CalDAV base URL (default: in-memory calendars)")
    args = parser.parse_args()
    request = load_example()
    people = tuple(p.id for p in request.people)
    gateway = CalDavGateway(args.caldav, people=people) if args.caldav else InMemoryGateway()
    with tempfile.TemporaryDirectory() as tmp:
        log = AuditLog(Path(tmp) / "audit.jsonl")
        flow = BridgeWorkflow(Ledger(Path(tmp) / "holds.db"), gateway, log)
        result, proposed = flow.propose(request)
        print(proposed.message.text, end="\n\n")
        first, second = result.slots[0], result.slots[1]
        print(flow.hold(request, first).message.text, end="\n\n")
        print(flow.hold(request, second).message.text, end="\n\n")
        confirmed = flow.confirm(request, first, request.now)  # releases the second slot's holds
        for message in (confirmed.message, *confirmed.more):
            print(message.text, end="\n\n")
        assert confirmed.packet is not None
        method = next(
            line for line in confirmed.packet.ics.splitlines() if line.startswith("METHOD")
        )
        print(f"invite .ics: {method}", end="\n\n")
        # 2. bounded authority: a substitute outside working hours needs an approval
        strict = _renamed(request, "INC-4711-C", substitution="needs_approval")
        result, _ = flow.propose(strict)
        slot = next(s for s in result.slots if s.approvals)
        held = flow.hold(strict, slot)
        for message in (held.message, *held.more):
            print(message.text, end="\n\n")
        try:
            flow.confirm(strict, slot, request.now)
        except AuthorityError as refused:
            print(f"confirm refused: {refused}", end="\n\n")
        codes = tuple(a.code for a in slot.approvals)
        grant = ApprovalGrant(
            approver="lead-kofi", authority=slot.approvals[0].approver, at=request.now, codes=codes
        )
        flow.approve(flow.key(strict, slot), grant)
        print(flow.confirm(strict, slot, request.now).message.text, end="\n\n")

        # 3. a calendar that refuses (in memory only: a real server decides for itself)
        if isinstance(gateway, InMemoryGateway):
            gateway.fail = {first.assignments[2].person}
            refused_step = flow.hold(_renamed(request, "INC-4711-D"), first)
            print(refused_step.message.text, end="\n\n")
            gateway.fail = set()

        # 4. a process dies after three calendar writes; the sweep settles it after the lease
        def die(step: str) -> None:
            if step.startswith("placed-on-calendar:") and step.endswith(":ic-chen"):
                raise _Died(step)

        with contextlib.suppress(_Died):
            place_holds(
                flow.ledger,
                gateway,
                key="INC-4711-E/1",
                incident="INC-4711-E",
                people=[a.person for a in first.assignments],
                start=first.start,
                end=first.end,
                expires_at=request.window.end,
                now=request.now,
                step=die,
            )
        states = sorted({h.state for h in flow.ledger.holds(incident="INC-4711-E")})
        print(f"INC-4711-E after the crash: {', '.join(states)}")
        flow.sweep(request.now + DEFAULT_LEASE)
        settled = [
            f"{h.person}={h.state} ({h.reason})" for h in flow.ledger.holds(incident="INC-4711-E")
        ]
        print(f"INC-4711-E after the sweep: {', '.join(settled)}", end="\n\n")

        # 5. a later incident update: holds that nobody confirms expire at the window end (the SLA)
        later = request.model_copy(
            update={"incident": request.incident.model_copy(update={"id": "INC-4711-B"})}
        )
        print(flow.hold(later, first).message.text, end="\n\n")
        for step in flow.sweep(request.window.end):
            print(step.message.text, end="\n\n")

        print("Audit log:")
        print(replay(log.path))


if __name__ == "__main__":
    main()
