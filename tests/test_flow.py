"""End to end on the embedded example: propose -> hold -> approve -> confirm | release."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bridge_sched import BridgeRequest, load_example
from bridge_sched.audit import AuditLog, read_log, verify
from bridge_sched.holds import (
    ApprovalGrant,
    AuthorityError,
    BridgeWorkflow,
    InMemoryGateway,
    Ledger,
)

UTC = dt.timezone.utc
LATER = dt.datetime(2027, 3, 16, 12, 5, tzinfo=UTC)


def test_whole_flow_in_memory(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    gw = InMemoryGateway()
    flow = BridgeWorkflow(Ledger(tmp_path / "h.db"), gw, log)
    request = load_example()
    result, proposed = flow.propose(request)
    slot = result.slots[0]
    assert proposed.message.text.startswith("INC-4711: bridge proposed 2027-03-16 15:30 UTC")
    held = flow.hold(request, slot)
    assert held.placement is not None and held.placement.ok
    assert len(gw.blocks) == 5
    done = flow.confirm(request, slot, LATER)
    assert done.packet is not None and done.packet.title == "[SEV1] INC-4711 incident bridge"
    assert {status for _p, status in gw.blocks.values()} == {"confirmed"}
    assert done.message.text.startswith("INC-4711: bridge confirmed 2027-03-16 15:30 UTC-16:00 UTC")
    events = [r["event"] for r in read_log(log.path)]
    assert events[0] == "request" and events[-2:] == ["holds_placed", "holds_confirmed"]
    assert verify(log.path) == []


def test_confirm_refuses_without_approval_and_confirms_nothing(tmp_path: Path) -> None:
    data = load_example().model_dump(mode="json")
    data["policy"]["substitution"] = "needs_approval"
    request = BridgeRequest.model_validate(data)
    gw = InMemoryGateway()
    flow = BridgeWorkflow(Ledger(tmp_path / "h.db"), gw)
    result, _ = flow.propose(request)
    slot = next(s for s in result.slots if s.approvals)
    flow.hold(request, slot)
    with pytest.raises(AuthorityError):
        flow.confirm(request, slot, LATER)
    assert {status for _p, status in gw.blocks.values()} == {"tentative"}  # nothing confirmed
    codes = tuple(sorted({a.code.value for a in slot.approvals}))
    log = AuditLog(tmp_path / "audit.jsonl")
    flow.log = log
    grant = ApprovalGrant(approver="incident_leadership", at=LATER, codes=codes)
    flow.approve(flow.key(request, slot), grant, request.incident.id)
    step = flow.confirm(request, slot, LATER)
    assert step.packet is not None and step.packet.approvals[0].codes == codes
    assert {status for _p, status in gw.blocks.values()} == {"confirmed"}
    events = [(r["event"], r.get("approver")) for r in read_log(log.path)]
    assert events == [("approval_granted", "incident_leadership"), ("holds_confirmed", None)]


def test_unconfirmed_holds_expire_at_the_sla(tmp_path: Path) -> None:
    gw = InMemoryGateway()
    flow = BridgeWorkflow(Ledger(tmp_path / "h.db"), gw)
    request = load_example()
    result, _ = flow.propose(request)
    flow.hold(request, result.slots[0])
    assert flow.sweep(request.window.end - dt.timedelta(seconds=1)) == []
    (expired,) = flow.sweep(request.window.end)
    assert expired.message.text.startswith("INC-4711: tentative holds expired")
    assert gw.blocks == {}
