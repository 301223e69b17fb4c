"""Basic, engine-independent checks of a result against its request.

These are the "real values" of the smoke test: they read the request directly
(busy intervals, pools, customer windows) and never call engine internals.
"""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from bridge_sched import BridgeRequest, BridgeResult, BusyKind

__all__ = ["check_escalation", "check_slots", "naive_earliest_common_start"]

UTC = dt.timezone.utc
_HARD = {BusyKind.busy, BusyKind.out_of_office, BusyKind.focus, BusyKind.executive_review}


def _hard_kinds(request: BridgeRequest) -> set[BusyKind]:
    kinds = set(_HARD)
    if request.policy.unknown == "unavailable":
        kinds.add(BusyKind.unknown)
    if request.policy.tentative == "forbid":
        kinds.add(BusyKind.tentative)
    return kinds


def _required(request: BridgeRequest) -> dict[str, list[str]]:
    sev = request.incident.severity
    return {
        r.name: [c.person for c in r.candidates]
        for r in request.roles
        if r.required_for is None or sev in r.required_for
    }


def _customer_windows(request: BridgeRequest) -> list[tuple[dt.datetime, dt.datetime]] | None:
    customer = request.customer
    if customer is None or customer.availability is None:
        return None
    from scenarios import zone  # the tzdata-backed zone loader of the generator

    tz: ZoneInfo = zone(customer.timezone)
    out = []
    for w in customer.availability:
        rng = w.range
        day = dt.datetime.combine(w.date, dt.time(), tzinfo=tz)
        start = (day + dt.timedelta(minutes=rng.start_minute)).astimezone(UTC)
        end = (day + dt.timedelta(minutes=rng.end_minute)).astimezone(UTC)
        out.append((start, end))
    return out


def check_slots(request: BridgeRequest, result: BridgeResult) -> None:
    """Assert that every slot of ``result`` satisfies the basic rules of the contract."""
    meeting = request.meeting
    d = dt.timedelta(minutes=meeting.duration_minutes)
    lower = max(request.window.start, request.now)
    required = _required(request)
    people = {p.id: p for p in request.people}
    hard = _hard_kinds(request)
    customer = _customer_windows(request)

    assert result.status.value in ("scheduled", "needs_approval"), result.status
    assert result.escalation is None
    assert 1 <= len(result.slots) <= meeting.suggestions
    assert [s.rank for s in result.slots] == list(range(1, len(result.slots) + 1))
    assert set(result.roles_required) == set(required)
    assert (result.status.value == "needs_approval") == (result.slots[0].score.approvals > 0)
    for slot in result.slots:
        s, e = slot.start, slot.end
        assert e - s == d
        assert s.second == 0 and s.microsecond == 0 and s.minute % meeting.step_minutes == 0
        assert s >= lower and e <= request.window.end
        assert {a.role for a in slot.assignments} == set(required)
        assigned = [a.person for a in slot.assignments]
        assert len(set(assigned)) == len(assigned), f"one person fills two roles: {assigned}"
        for a in slot.assignments:
            pool = required[a.role]
            assert a.person in pool
            assert pool.index(a.person) == a.pool_position
            assert a.primary == (a.pool_position == 0)
            for busy in people[a.person].busy:
                assert not (busy.kind in hard and busy.start < e and busy.end > s), (
                    f"{a.person} ({a.role}) is {busy.kind.value} at {s:%Y-%m-%d %H:%M}"
                )
        if customer is not None:
            assert any(cs <= s and e <= ce for cs, ce in customer), f"{s} outside customer window"
        assert len(slot.approvals) == slot.score.approvals
        assert slot.score.substitutes == sum(1 for a in slot.assignments if not a.primary)
    sep = dt.timedelta(minutes=meeting.separation)
    for x, y in itertools.combinations(result.slots, 2):
        assert abs(x.start - y.start) >= sep
    keys = [
        (
            sl.score.approvals,
            sl.score.substitutes,
            sl.score.substitute_depth,
            sl.score.tentative,
            sl.score.customer_preference,
            sl.start,
        )
        for sl in result.slots
    ]
    assert keys == sorted(keys), "slots are not in key order"


def check_escalation(result: BridgeResult, codes: set[str], role: str | None = None) -> None:
    """Assert an escalation whose reasons include one of ``codes`` (for ``role`` if given)."""
    assert result.status.value == "escalate", result.status
    assert not result.slots
    assert result.escalation is not None
    reasons = result.escalation.reasons
    assert reasons, "escalation without reasons"
    hits = [r for r in reasons if r.code.value in codes and (role is None or r.role == role)]
    assert hits, (
        f"expected one of {sorted(codes)} for {role}, got {[(r.code.value, r.role) for r in reasons]}"
    )
    assert result.escalation.message


def naive_earliest_common_start(request: BridgeRequest) -> dt.datetime | None:
    """The floor's answer by brute force over the grid (small requests only)."""
    hard = _hard_kinds(request)
    d = dt.timedelta(minutes=request.meeting.duration_minutes)
    step = dt.timedelta(minutes=request.meeting.step_minutes)
    lower = max(request.window.start, request.now)
    people = {p.id: p for p in request.people}
    busy = {pid: [(b.start, b.end) for b in p.busy if b.kind in hard] for pid, p in people.items()}
    pools = list(_required(request).values())
    s = request.window.start.replace(minute=0, second=0, microsecond=0)
    while s + d <= request.window.end:
        if s >= lower and all(
            any(all(not (a < s + d and b > s) for a, b in busy[pid]) for pid in pool)
            for pool in pools
        ):
            return s
        s += step
    return None
