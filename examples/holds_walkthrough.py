"""The whole bridge workflow on the embedded example, printing each incident-room message.

    python examples/holds_walkthrough.py                              # in-memory calendars
    python examples/holds_walkthrough.py --caldav http://127.0.0.1:5232/bridge   # a CalDAV server

propose -> hold slots #1 and #2 (they expire at the SLA) -> confirm #1 (which
releases #2) -> invite .ics; then holds nobody confirms, released by sweep at
the SLA. Ends with the audit log's timeline.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bridge_sched import load_example
from bridge_sched.audit import AuditLog, replay
from bridge_sched.holds import BridgeWorkflow, CalDavGateway, InMemoryGateway, Ledger


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
        print(confirmed.message.text, end="\n\n")
        assert confirmed.packet is not None
        method = next(
            line for line in confirmed.packet.ics.splitlines() if line.startswith("METHOD")
        )
        print(f"invite .ics: {method}", end="\n\n")
        # a later incident update: holds that nobody confirms expire at the window end (the SLA)
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
