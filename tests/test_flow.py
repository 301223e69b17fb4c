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
    approve,
    confirm,
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
    grant = ApprovalGrant(
        approver="lead-kofi", authority="incident_leadership", at=LATER, codes=codes
    )
    flow.approve(flow.key(request, slot), grant)
    step = flow.confirm(request, slot, LATER)
    assert step.packet is not None and step.packet.approvals[0].codes == codes
    assert {status for _p, status in gw.blocks.values()} == {"confirmed"}
    events = [(r["event"], r.get("approver")) for r in read_log(log.path)]
    assert events == [("approval_granted", "lead-kofi"), ("holds_confirmed", None)]


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


def _needs_approval() -> BridgeRequest:
    data = load_example().model_dump(mode="json")
    data["policy"]["substitution"] = "needs_approval"
    return BridgeRequest.model_validate(data)


def test_the_ledger_enforces_authority_without_the_workflow(tmp_path: Path) -> None:
    """No path around bounded authority: the ledger's confirm refuses too, and the
    approval it needs is durable (another process, a reopened ledger, sees it)."""
    request = _needs_approval()
    gw = InMemoryGateway()
    flow = BridgeWorkflow(Ledger(tmp_path / "h.db"), gw)
    result, _ = flow.propose(request)
    slot = next(s for s in result.slots if s.approvals)
    key = flow.hold(request, slot).placement.key  # type: ignore[union-attr]
    (need,) = slot.approvals
    assert (need.code.value, need.approver, need.person) == (
        "OUT_OF_HOURS",
        "incident_leadership",
        need.person,
    )
    other = Ledger(tmp_path / "h.db")
    with pytest.raises(AuthorityError, match=f"placement {key} lacks approval: OUT_OF_HOURS"):
        confirm(other, gw, key, LATER)
    wrong = ApprovalGrant(
        approver="sup-amara", authority="on_call", at=LATER, codes=("OUT_OF_HOURS",)
    )
    future = ApprovalGrant(
        approver="lead-kofi",
        authority="incident_leadership",
        at=LATER + dt.timedelta(hours=1),
        codes=("OUT_OF_HOURS",),
    )
    approve(other, key, wrong, LATER)
    from bridge_sched import InputError

    with pytest.raises(InputError, match="is after the time it is recorded"):
        approve(other, key, future, LATER)
    with pytest.raises(AuthorityError) as info:
        confirm(Ledger(tmp_path / "h.db"), gw, key, LATER)
    assert "is in authority 'on_call', not 'incident_leadership'" in str(info.value)
    assert {status for _p, status in gw.blocks.values()} == {"tentative"}
    good = ApprovalGrant(
        approver="lead-kofi", authority="incident_leadership", at=LATER, codes=("OUT_OF_HOURS",)
    )
    approve(Ledger(tmp_path / "h.db"), key, good, LATER)
    assert confirm(Ledger(tmp_path / "h.db"), gw, key, LATER).status == "confirmed"


def test_failed_placement_posts_holds_not_placed(tmp_path: Path) -> None:
    request = load_example()
    result = BridgeWorkflow(Ledger(tmp_path / "x.db"), InMemoryGateway()).propose(request)[0]
    slot = result.slots[0]
    refused = slot.assignments[2].person
    flow = BridgeWorkflow(Ledger(tmp_path / "h.db"), InMemoryGateway(fail={refused}))
    step = flow.hold(request, slot)
    assert step.placement is not None and step.placement.status == "failed"
    assert step.message.text.startswith("INC-4711: holds NOT placed for 2027-03-16 15:30 UTC")
    assert f"Calendar refused: {refused}" in step.message.text


def test_confirming_one_slot_releases_the_other(tmp_path: Path) -> None:
    gw = InMemoryGateway()
    flow = BridgeWorkflow(Ledger(tmp_path / "h.db"), gw)
    request = load_example()
    result, _ = flow.propose(request)
    first, second = result.slots[0], result.slots[1]
    flow.hold(request, first)
    flow.hold(request, second)
    assert len(gw.blocks) == len(first.assignments) + len(second.assignments)
    step = flow.confirm(request, second, LATER)
    assert step.placement is not None and step.placement.status == "confirmed"
    (released,) = step.more
    assert released.text.startswith(
        f"INC-4711: tentative holds released (bridge confirmed on {flow.key(request, second)})"
    )
    assert {h.state for h in flow.ledger.holds(key=flow.key(request, first))} == {"released"}
    assert sorted(p for p, _s in gw.blocks.values()) == sorted(a.person for a in second.assignments)


def test_an_approval_counts_only_from_when_it_was_recorded(tmp_path: Path) -> None:
    from bridge_sched import InputError

    request = _needs_approval()
    gw = InMemoryGateway()
    flow = BridgeWorkflow(Ledger(tmp_path / "h.db"), gw)
    slot = next(s for s in flow.propose(request)[0].slots if s.approvals)
    key = flow.hold(request, slot).placement.key  # type: ignore[union-attr]
    grant = ApprovalGrant(
        approver="lead-kofi", authority="incident_leadership", at=LATER, codes=("OUT_OF_HOURS",)
    )
    with pytest.raises(InputError, match="is after the time it is recorded"):
        approve(flow.ledger, key, grant, LATER - dt.timedelta(minutes=1))
    approve(flow.ledger, key, grant, LATER + dt.timedelta(minutes=10))  # recorded later
    with pytest.raises(AuthorityError):
        confirm(flow.ledger, gw, key, LATER + dt.timedelta(minutes=5))
    assert confirm(flow.ledger, gw, key, LATER + dt.timedelta(minutes=10)).status == "confirmed"
